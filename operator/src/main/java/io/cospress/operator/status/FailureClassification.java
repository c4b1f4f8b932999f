package io.cospress.operator.status;

import java.util.Objects;

/**
 * The verdict of {@link PodFailureClassifier} on one failed attempt.
 *
 * @param cause what the retry policy acts on
 * @param reason the Kubernetes or trainer signal that decided it, in UpperCamelCase (for example
 *     {@code PreemptionByScheduler} or {@code OOMKilled}), usable as a condition reason
 * @param message a human-readable explanation, taken from the signal where it carries one
 */
public record FailureClassification(RestartCause cause, String reason, String message) {

  public FailureClassification {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
