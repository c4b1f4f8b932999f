package io.cospress.operator.status;

/**
 * Why a trainer attempt ended without finishing, as far as retries are concerned
 * (docs/failure-semantics.md).
 */
public enum RestartCause {
  /** The trainer itself failed: a non-zero exit, including running out of memory. */
  APPLICATION_ERROR,
  /** The pod was taken away on purpose: scheduler preemption, eviction, drain or node shutdown. */
  PREEMPTION,
  /** The pod's node disappeared or stopped responding. */
  NODE_LOSS,
  /** The trainer rejected the manifest or its data; running it again gives the same answer. */
  INVALID_INPUT;

  /**
   * Whether a restart for this cause uses up {@code spec.maxRestarts}. Preemption does not: the
   * cluster, not the run, decided to stop it, and a busy cluster must not fail a healthy run.
   */
  public boolean countsAgainstBudget() {
    return this == APPLICATION_ERROR || this == NODE_LOSS;
  }

  /** Whether this cause may be retried at all. */
  public boolean isRetryable() {
    return this != INVALID_INPUT;
  }

  /** Lower-case words for messages, such as "node loss". */
  public String describe() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
