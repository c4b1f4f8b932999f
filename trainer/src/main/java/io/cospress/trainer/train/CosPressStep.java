package io.cospress.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.loss.LossTerms;
import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.optim.AdamW;

/**
 * One optimisation step of CosPress: frozen teacher forward, head and student forward, the
 * objective, backward, and the AdamW update. Shared by the training loop and the benchmark so that
 * what is measured is what is run.
 */
public final class CosPressStep {

  private final TorchScriptModel teacher;
  private final Student student;
  private final CompressionHead head;
  private final CosPressLoss loss;
  private final AdamW optimizer;
  private final boolean pooledOnly;

  public CosPressStep(
      TorchScriptModel teacher,
      Student student,
      CompressionHead head,
      CosPressLoss loss,
      AdamW optimizer,
      boolean pooledOnly) {
    this.teacher = teacher;
    this.student = student;
    this.head = head;
    this.loss = loss;
    this.optimizer = optimizer;
    this.pooledOnly = pooledOnly;
  }

  /**
   * Runs the step on {@code images}; every intermediate array is attached to the images' manager,
   * which the caller closes after the step.
   */
  public LossValues run(NDArray images, double learningRate) {
    return run(images, learningRate, StepPhase.Listener.NONE);
  }

  /** {@link #run(NDArray, double)}, telling {@code phases} as each part of the step ends. */
  public LossValues run(NDArray images, double learningRate, StepPhase.Listener phases) {
    NDArray t = pool(teacher.forwardFrozen(images));
    phases.ended(StepPhase.TEACHER);
    LossValues values;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray c = head.forward(t);
      NDArray s = pool(student.forward(images, true));
      phases.ended(StepPhase.FORWARD);
      LossTerms terms = loss.compute(t, c, s);
      phases.ended(StepPhase.LOSS);
      collector.backward(terms.total());
      values = terms.values();
      phases.ended(StepPhase.BACKWARD);
    }
    optimizer.step(learningRate);
    phases.ended(StepPhase.OPTIMIZER);
    return values;
  }

  private NDArray pool(NDArray output) {
    return pooledOnly ? Embedder.globalEmbedding(output) : output;
  }
}
