package io.cospress.operator.status;

import io.cospress.api.v1alpha1.RunPhase;
import java.util.Objects;

/**
 * A run's phase with the reason and message that explain it.
 *
 * @param phase the phase
 * @param reason UpperCamelCase, from {@link StatusReasons} or passed through from Kubernetes
 * @param message human-readable detail, for example the scheduler's explanation
 * @param stalled whether the run cannot make progress without someone acting, although its phase is
 *     not final: a trainer pod pending for longer than the operator waits, or an API failure the
 *     operator gave up retrying. kstatus reads it as Failed and Argo CD as Degraded.
 */
public record PhaseResolution(RunPhase phase, String reason, String message, boolean stalled) {

  public PhaseResolution {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** A resolution that is not stalled. */
  public PhaseResolution(RunPhase phase, String reason, String message) {
    this(phase, reason, message, false);
  }

  /** The same phase and reason, stalled, with {@code message} instead. */
  public PhaseResolution asStalled(String message) {
    return new PhaseResolution(phase, reason, message, true);
  }

  /**
   * Whether the operator is still driving the run towards a steady state: true while it is pending,
   * queued, running or still suspending, unless it stalled; false once it finished, failed or is
   * suspended.
   */
  public boolean isReconciling() {
    if (stalled) {
      return false;
    }
    return switch (phase) {
      case Pending, Queued, Running -> true;
      case Suspended -> StatusReasons.SUSPENDING.equals(reason);
      case Succeeded, Failed -> false;
    };
  }

  /** Whether kstatus should read the run as Failed: it failed for good, or it stalled. */
  public boolean isStalled() {
    return stalled || phase == RunPhase.Failed;
  }
}
