package io.cospress.operator.status;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the status the operator server-side applies: a fresh {@link DistillationRunStatus} holding
 * only operator-owned fields (phase, conditions, observedGeneration, reason, message, attempt,
 * jobName, restarts, announcedCheckpoint).
 *
 * <p>The trainer owns progress, metrics and checkpoint under its own field manager
 * (docs/status-model.md). Were the operator to send them, even unchanged, it would become a
 * co-owner and a later apply without them would delete the trainer's values; so they are never set
 * here. Conversely, server- side apply removes a field its manager owned and stops sending, so the
 * operator must send its complete set every time: build from all of it, not from a delta.
 */
public final class OperatorStatus {

  private OperatorStatus() {}

  public static Builder builder() {
    return new Builder();
  }

  /** The operator-owned part of an observed status, for example to compare with a new one. */
  public static DistillationRunStatus ownedPartOf(DistillationRunStatus observed) {
    Builder builder = builder();
    if (observed != null) {
      builder
          .phase(observed.getPhase())
          .reason(observed.getReason())
          .message(observed.getMessage())
          .conditions(observed.getConditions())
          .observedGeneration(observed.getObservedGeneration())
          .attempt(observed.getAttempt())
          .jobName(observed.getJobName())
          .restarts(observed.getRestarts())
          .announcedCheckpoint(observed.getAnnouncedCheckpoint());
    }
    return builder.build();
  }

  /** Collects operator-owned fields; unset ones stay absent from the built status. */
  public static final class Builder {
    private RunPhase phase;
    private String reason;
    private String message;
    private List<Condition> conditions;
    private Long observedGeneration;
    private Integer attempt;
    private String jobName;
    private RestartsStatus restarts;
    private String announcedCheckpoint;

    private Builder() {}

    /** Phase, reason and message at once. */
    public Builder resolution(PhaseResolution resolution) {
      return phase(resolution.phase()).reason(resolution.reason()).message(resolution.message());
    }

    public Builder phase(RunPhase phase) {
      this.phase = phase;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    public Builder message(String message) {
      this.message = message;
      return this;
    }

    public Builder conditions(List<Condition> conditions) {
      this.conditions = conditions;
      return this;
    }

    public Builder observedGeneration(Long observedGeneration) {
      this.observedGeneration = observedGeneration;
      return this;
    }

    public Builder attempt(Integer attempt) {
      this.attempt = attempt;
      return this;
    }

    public Builder jobName(String jobName) {
      this.jobName = jobName;
      return this;
    }

    public Builder restarts(RestartsStatus restarts) {
      this.restarts = restarts;
      return this;
    }

    public Builder announcedCheckpoint(String announcedCheckpoint) {
      this.announcedCheckpoint = announcedCheckpoint;
      return this;
    }

    /** A new status; conditions and restarts are copied so later changes to inputs do not leak. */
    public DistillationRunStatus build() {
      DistillationRunStatus status = new DistillationRunStatus();
      status.setPhase(phase);
      status.setReason(reason);
      status.setMessage(message);
      status.setConditions(
          conditions == null
              ? null
              : conditions.stream()
                  .map(c -> new ConditionBuilder(c).build())
                  .collect(Collectors.toCollection(ArrayList::new)));
      status.setObservedGeneration(observedGeneration);
      status.setAttempt(attempt);
      status.setJobName(jobName);
      status.setRestarts(restarts == null ? null : RestartCounts.copyOf(restarts));
      status.setAnnouncedCheckpoint(announcedCheckpoint);
      // The trainer's fields stay null: DistillationRunStatus must not default them, and this
      // makes the contract explicit should it ever start to.
      status.setProgress(null);
      status.setMetrics(null);
      status.setCheckpoint(null);
      return status;
    }
  }
}
