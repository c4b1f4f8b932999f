package io.cospress.operator.status;

import io.cospress.api.v1alpha1.RunPhase;
import java.util.Objects;

/**
 * A run's phase with the reason and message that explain it.
 *
 * @param phase the phase
 * @param reason UpperCamelCase, from {@link StatusReasons} or passed through from Kubernetes
 * @param message human-readable detail, for example the scheduler's explanation
 */
public record PhaseResolution(RunPhase phase, String reason, String message) {

  public PhaseResolution {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Whether the operator is still driving the run towards a steady state: true while it is pending,
   * queued, running or still suspending; false once it finished, failed or is suspended.
   */
  public boolean isReconciling() {
    return switch (phase) {
      case Pending, Queued, Running -> true;
      case Suspended -> StatusReasons.SUSPENDING.equals(reason);
      case Succeeded, Failed -> false;
    };
  }
}
