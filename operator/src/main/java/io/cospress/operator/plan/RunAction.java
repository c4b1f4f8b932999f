package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.RestartCause;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Objects;

/**
 * One side effect {@link RunPlanner} decided on; the reconciler carries them out in order and
 * decides nothing itself. Records, so a table test compares a plan's actions with plain equality.
 */
public sealed interface RunAction {

  /** Create the Job of attempt {@code attempt}; a Job of that name already there is kept. */
  record CreateAttempt(int attempt, Job job) implements RunAction {
    public CreateAttempt {
      Objects.requireNonNull(job, "job");
    }
  }

  /**
   * Delete a running attempt's Job so its trainer checkpoints on SIGTERM and stops (suspension),
   * giving the pod {@code gracePeriodSeconds} to do so.
   */
  record StopAttempt(String jobName, long gracePeriodSeconds) implements RunAction {
    public StopAttempt {
      Objects.requireNonNull(jobName, "jobName");
    }
  }

  /** Record a core/v1 Event on the run. */
  record EmitEvent(EventType type, String reason, String message) implements RunAction {
    public EmitEvent {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    public static EmitEvent normal(String reason, String message) {
      return new EmitEvent(EventType.NORMAL, reason, message);
    }

    public static EmitEvent warning(String reason, String message) {
      return new EmitEvent(EventType.WARNING, reason, message);
    }
  }

  /** Count a restart for {@code cause} in the operator's metrics. */
  record CountRestart(RestartCause cause) implements RunAction {
    public CountRestart {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** Count a phase transition in the operator's metrics; {@code from} is null for a new run. */
  record CountTransition(RunPhase from, RunPhase to) implements RunAction {
    public CountTransition {
      Objects.requireNonNull(to, "to");
    }
  }

  /** The two types of core/v1 Event. */
  enum EventType {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String apiValue;

    EventType(String apiValue) {
      this.apiValue = apiValue;
    }

    /** The value of {@code Event.type}. */
    public String apiValue() {
      return apiValue;
    }
  }
}
