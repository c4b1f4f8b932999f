package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.operator.status.RetryDecision;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * What {@link PhaseResolver} looks at: the part of a {@link RunObservation} that decides the phase,
 * plus the planner's retry decision about a failed attempt.
 *
 * @param suspendRequested the run's {@code spec.suspend}
 * @param queueName the run's {@code spec.queueName}, or null
 * @param previousStatus the status as last written, or null for a new run
 * @param job the current attempt's Job, or null if it does not exist
 * @param pod the current attempt's trainer pod, or null if it does not exist
 * @param failureDecision the retry decision about the current attempt's failure, or null if it has
 *     not failed
 */
record PhaseFacts(
    boolean suspendRequested,
    String queueName,
    DistillationRunStatus previousStatus,
    Job job,
    Pod pod,
    RetryDecision failureDecision) {

  /** A builder pre-filled with the run's spec and current status. */
  public static Builder forRun(DistillationRun run) {
    Builder builder = new Builder().previousStatus(run.getStatus());
    if (run.getSpec() != null) {
      builder
          .suspendRequested(Boolean.TRUE.equals(run.getSpec().getSuspend()))
          .queueName(run.getSpec().getQueueName());
    }
    return builder;
  }

  /** An empty builder: not suspended, no queue, no status, no Job, no pod, no failure. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PhaseFacts}; unset parts are absent. */
  public static final class Builder {
    private boolean suspendRequested;
    private String queueName;
    private DistillationRunStatus previousStatus;
    private Job job;
    private Pod pod;
    private RetryDecision failureDecision;

    private Builder() {}

    public Builder suspendRequested(boolean suspendRequested) {
      this.suspendRequested = suspendRequested;
      return this;
    }

    public Builder queueName(String queueName) {
      this.queueName = queueName;
      return this;
    }

    public Builder previousStatus(DistillationRunStatus previousStatus) {
      this.previousStatus = previousStatus;
      return this;
    }

    public Builder job(Job job) {
      this.job = job;
      return this;
    }

    public Builder pod(Pod pod) {
      this.pod = pod;
      return this;
    }

    public Builder failureDecision(RetryDecision failureDecision) {
      this.failureDecision = failureDecision;
      return this;
    }

    public PhaseFacts build() {
      return new PhaseFacts(suspendRequested, queueName, previousStatus, job, pod, failureDecision);
    }
  }
}
