package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.KubernetesSignals;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.PodFacts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long a trainer may stay Pending before the run is reported Stalled. A pod the scheduler
 * cannot place or whose image cannot be pulled waits forever otherwise, and GitOps tools would show
 * it as progressing forever; past the limit kstatus reads it as Failed and Argo CD as Degraded,
 * with the scheduler's or kubelet's reason. The run keeps its phase and recovers by itself when the
 * pod starts, since only the Stalled condition changes.
 *
 * <p>A run waiting in a Kueue queue or in the backoff before a retry is not pending in this sense:
 * waiting there is by design.
 *
 * @param limit how long a pod may be pending; zero turns the check off
 */
record PendingLimit(Duration limit) {

  PendingLimit {
    if (limit.isNegative()) {
      throw new IllegalArgumentException("the pending limit must not be negative: " + limit);
    }
  }

  /** The result of applying the limit: the resolution to report and when to look again. */
  record Outcome(PhaseResolution resolution, Duration recheckAfter) {}

  /**
   * Applies the limit to {@code resolution}, which was resolved from {@code job} and {@code pod}.
   */
  Outcome apply(PhaseResolution resolution, Job job, Pod pod, Instant now) {
    if (limit.isZero()) {
      return new Outcome(resolution, null);
    }
    Optional<Instant> since = pendingSince(resolution, job, pod);
    if (since.isEmpty()) {
      return new Outcome(resolution, null);
    }
    Duration pending = Duration.between(since.get(), now);
    if (pending.compareTo(limit) < 0) {
      return new Outcome(resolution, limit.minus(pending));
    }
    String message =
        "pending for "
            + Durations.text(pending)
            + ", longer than the operator's limit of "
            + Durations.text(limit)
            + ": "
            + resolution.message();
    return new Outcome(resolution.asStalled(message), null);
  }

  /**
   * Since when the current attempt waits for its trainer to start: the pod's creation while the pod
   * is pending, or the Job's start (it resets when a suspended Job resumes) while it has no pod.
   */
  static Optional<Instant> pendingSince(PhaseResolution resolution, Job job, Pod pod) {
    if (resolution.phase() != RunPhase.Pending
        || job == null
        || JobFacts.isSuspended(job)
        || JobFacts.failure(job).isPresent()) {
      return Optional.empty();
    }
    if (pod != null) {
      if (!KubernetesSignals.PHASE_PENDING.equals(PodFacts.phase(pod))
          || pod.getMetadata() == null) {
        return Optional.empty();
      }
      return Durations.parse(pod.getMetadata().getCreationTimestamp());
    }
    return Durations.parse(job.getStatus() == null ? null : job.getStatus().getStartTime());
  }
}
