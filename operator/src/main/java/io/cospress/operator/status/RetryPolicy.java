package io.cospress.operator.status;

import io.cospress.api.v1alpha1.RestartsStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a failed attempt is retried and after how long (docs/failure-semantics.md).
 *
 * <p>Budget: application errors and node loss each use one of {@code spec.maxRestarts}; with {@code
 * maxRestarts = 3} the fourth such failure gives up. Preemption and eviction never use it, so a run
 * on a busy cluster is restarted as often as it is preempted. Invalid input is never retried,
 * whatever the budget.
 *
 * <p>Backoff: restart {@code n} (counting restarts of every cause, starting at 1) waits {@code base
 * × 2^(n-1)}, capped; by default 10 s, 20 s, 40 s … 600 s. Preemptions count towards {@code n}
 * because repeated preemption means the cluster is contended, and waiting longer gives the pods
 * that displaced the run room to finish. There is no jitter: each run fails on its own schedule, so
 * runs do not retry in lockstep, and a delay that is a pure function of the counts can be
 * recomputed after an operator restart (see {@link #retryDueAt}) without storing it.
 */
public final class RetryPolicy {

  /** Delay before the first restart. */
  public static final Duration DEFAULT_BASE_DELAY = Duration.ofSeconds(10);

  /** Longest delay between attempts. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(10);

  private final Duration baseDelay;
  private final Duration maxDelay;

  /** A policy with the default 10 s base and 10 min cap. */
  public RetryPolicy() {
    this(DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
  }

  public RetryPolicy(Duration baseDelay, Duration maxDelay) {
    if (baseDelay.isNegative() || baseDelay.isZero() || maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("need 0 < baseDelay <= maxDelay");
    }
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  /**
   * Decides about one failed attempt.
   *
   * @param maxRestarts the run's {@code spec.maxRestarts}; negative values act as 0
   * @param restarts restarts so far, before this failure; null means none
   * @param failure the classified failure
   */
  public RetryDecision decide(
      int maxRestarts, RestartsStatus restarts, FailureClassification failure) {
    RestartsStatus before = RestartCounts.copyOf(restarts);
    RestartCause cause = failure.cause();
    if (!cause.isRetryable()) {
      return giveUp(before, failure, StatusReasons.INVALID_INPUT, failure.message());
    }
    int used = RestartCounts.budgetUsed(before);
    int budget = Math.max(0, maxRestarts);
    if (cause.countsAgainstBudget() && used >= budget) {
      return giveUp(
          before,
          failure,
          StatusReasons.RESTART_BUDGET_EXHAUSTED,
          String.format(
              "%s (%s) and all %d of spec.maxRestarts are used (application errors: %d, node"
                  + " loss: %d): %s",
              cause == RestartCause.NODE_LOSS
                  ? "the trainer's node was lost"
                  : "the trainer failed",
              failure.reason(),
              budget,
              before.getApplicationError(),
              before.getNodeLoss(),
              failure.message()));
    }
    RestartsStatus after = RestartCounts.after(before, cause);
    Duration delay = backoffDelay(after.getTotal());
    String budgetNote =
        cause.countsAgainstBudget()
            ? String.format("restart %d of %d allowed", used + 1, budget)
            : "not counted against spec.maxRestarts";
    return new RetryDecision(
        true,
        failure,
        after,
        delay,
        StatusReasons.BACKOFF_BEFORE_RETRY,
        String.format(
            "attempt %d starts in %ds after %s (%s; %s): %s",
            after.getTotal() + 1,
            delay.toSeconds(),
            cause.describe(),
            failure.reason(),
            budgetNote,
            failure.message()));
  }

  /** Convenience for callers that only know the cause. */
  public RetryDecision decide(int maxRestarts, RestartsStatus restarts, RestartCause cause) {
    return decide(
        maxRestarts,
        restarts,
        new FailureClassification(
            cause, StatusReasons.ATTEMPT_FAILED, "the trainer attempt ended early"));
  }

  /**
   * The wait before restart number {@code restartNumber} (1 for the first restart): {@code base ×
   * 2^(restartNumber-1)}, capped at the maximum delay.
   */
  public Duration backoffDelay(int restartNumber) {
    if (restartNumber < 1) {
      throw new IllegalArgumentException("restart numbers start at 1, got " + restartNumber);
    }
    // Past 2^30 the product overflows; the cap is reached long before that anyway.
    int doublings = Math.min(restartNumber - 1, 30);
    Duration delay = baseDelay.multipliedBy(1L << doublings);
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }

  /**
   * When restart {@code restartNumber} is due, given when the attempt before it failed (for example
   * the Job's Failed condition time). Deriving it from the cluster's own timestamps lets a
   * restarted operator honour a backoff that began before it went down.
   */
  public Instant retryDueAt(Instant failedAt, int restartNumber) {
    return failedAt.plus(backoffDelay(restartNumber));
  }

  private static RetryDecision giveUp(
      RestartsStatus before, FailureClassification failure, String reason, String message) {
    return new RetryDecision(false, failure, before, Duration.ZERO, reason, message);
  }
}
