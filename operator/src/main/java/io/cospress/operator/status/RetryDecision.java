package io.cospress.operator.status;

import io.cospress.api.v1alpha1.RestartsStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link RetryPolicy} decided about a failed attempt.
 *
 * @param retry whether a new attempt is started
 * @param failure the classified failure the decision is about
 * @param restarts the restart counts to report: including this restart when retrying, unchanged
 *     when giving up
 * @param delay how long to wait before the new attempt; zero when giving up
 * @param reason UpperCamelCase reason for the run's status
 * @param message human-readable explanation for the run's status
 */
public record RetryDecision(
    boolean retry,
    FailureClassification failure,
    RestartsStatus restarts,
    Duration delay,
    String reason,
    String message) {

  public RetryDecision {
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(restarts, "restarts");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    restarts = RestartCounts.copyOf(restarts);
  }

  /**
   * The attempt number the retry runs as. Attempts start at 1 and every restart, whatever its
   * cause, starts the next one, so attempt = restarts + 1.
   */
  public int nextAttempt() {
    return restarts.getTotal() + 1;
  }

  @Override
  public RestartsStatus restarts() {
    // Lombok's RestartsStatus is mutable; hand out copies so the decision stays as decided.
    return RestartCounts.copyOf(restarts);
  }
}
