package io.cospress.trainer.train;

/**
 * The parts of one {@link CosPressStep}, in the order they run, so a benchmark can say where the
 * time of a step goes.
 */
public enum StepPhase {
  /** Frozen teacher forward. */
  TEACHER,
  /** Compression head and student forward, recorded for autograd. */
  FORWARD,
  /** The CosPress objective. */
  LOSS,
  /** Backward pass through loss, head and student. */
  BACKWARD,
  /** The AdamW update and gradient reset. */
  OPTIMIZER;

  /** Told when each phase of a step ends; {@link #NONE} for training. */
  public interface Listener {
    Listener NONE = phase -> {};

    void ended(StepPhase phase);
  }
}
