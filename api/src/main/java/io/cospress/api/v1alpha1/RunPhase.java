package io.cospress.api.v1alpha1;

/** Lifecycle phase of a run, derived by the operator from its Job and pods. */
public enum RunPhase {
  /** Accepted, no trainer pod running yet (or the pod cannot be scheduled). */
  Pending,
  /** Waiting for Kueue admission (the Job is suspended by the queue). */
  Queued,
  /** A trainer pod is training. */
  Running,
  /** Training finished and the final student was written. */
  Succeeded,
  /** Gave up: bad input or the restart budget is spent. */
  Failed,
  /** Stopped by {@code spec.suspend}; resumes from the latest checkpoint. */
  Suspended;

  public boolean isTerminal() {
    return this == Succeeded || this == Failed;
  }
}
