package io.cospress.operator.status;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;

/** Arithmetic on {@link RestartsStatus}, always on a fresh object. */
public final class RestartCounts {

  private RestartCounts() {}

  /** Zero restarts of every cause. */
  public static RestartsStatus none() {
    return copyOf(null);
  }

  /**
   * The counts after one more restart for {@code cause}: a new object with {@code total} and the
   * cause's counter incremented. The input is left untouched because it usually is the status the
   * informer cache handed out, which other reconciliations share.
   *
   * @throws IllegalArgumentException for {@link RestartCause#INVALID_INPUT}, which is never
   *     restarted
   */
  public static RestartsStatus after(RestartsStatus previous, RestartCause cause) {
    RestartsStatus next = copyOf(previous);
    next.setTotal(next.getTotal() + 1);
    switch (cause) {
      case APPLICATION_ERROR -> next.setApplicationError(next.getApplicationError() + 1);
      case PREEMPTION -> next.setPreemption(next.getPreemption() + 1);
      case NODE_LOSS -> next.setNodeLoss(next.getNodeLoss() + 1);
      case INVALID_INPUT ->
          throw new IllegalArgumentException("invalid input is never restarted, so not counted");
    }
    return next;
  }

  /** Restarts that used up {@code spec.maxRestarts}: application errors and node loss. */
  public static int budgetUsed(RestartsStatus restarts) {
    RestartsStatus counts = copyOf(restarts);
    return counts.getApplicationError() + counts.getNodeLoss();
  }

  /** The counts of an observed status, zero for a run that has none yet. */
  public static RestartsStatus of(DistillationRunStatus status) {
    return copyOf(status == null ? null : status.getRestarts());
  }

  /** A copy with every missing counter read as zero. */
  public static RestartsStatus copyOf(RestartsStatus restarts) {
    RestartsStatus copy = new RestartsStatus();
    if (restarts != null) {
      copy.setTotal(zeroIfNull(restarts.getTotal()));
      copy.setApplicationError(zeroIfNull(restarts.getApplicationError()));
      copy.setPreemption(zeroIfNull(restarts.getPreemption()));
      copy.setNodeLoss(zeroIfNull(restarts.getNodeLoss()));
    }
    return copy;
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }
}
