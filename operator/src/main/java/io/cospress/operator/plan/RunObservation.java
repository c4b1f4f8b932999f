package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything {@link RunPlanner} needs to decide about a run, gathered by the reconciler from its
 * informer caches and, for the checkpoint claim, one read. Holding it all in one value is what lets
 * the planner be a pure function, and every transition a table test without an API server.
 *
 * @param run the run as the cache holds it: spec, generation and the status as last written
 * @param job the Job of the current attempt ({@code restarts.total + 1}), or null if there is none
 * @param pod the newest pod of that Job; without the Job, the newest pod a Job of its name left (a
 *     deleted Job's pod still stopping), or null
 * @param previousAttemptFailedAt when the previous attempt's Job failed (its Failed or
 *     FailureTarget condition), or null when there was no previous attempt or its Job is gone; the
 *     backoff before the current attempt counts from it
 * @param claim whether the run's checkpoint claim exists
 * @param now the time the observation was made
 */
public record RunObservation(
    DistillationRun run,
    Job job,
    Pod pod,
    Instant previousAttemptFailedAt,
    ClaimPresence claim,
    Instant now) {

  public RunObservation {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(run.getSpec(), "run.spec");
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(now, "now");
  }

  /** What the reconciler knows about {@code spec.checkpoint.claimName}. */
  public enum ClaimPresence {
    /** The run names no claim; its output is an emptyDir. */
    NOT_REQUESTED,
    /** The claim exists. */
    PRESENT,
    /** The run names a claim that does not exist in its namespace. */
    MISSING,
    /**
     * Not looked up: the reconciler reads the claim only when an attempt could start (no Job of the
     * current attempt), the only decision that depends on it.
     */
    NOT_CHECKED
  }

  /** An observation of {@code run} with nothing else present, claim not checked, at {@code now}. */
  public static RunObservation of(DistillationRun run, Instant now) {
    return new RunObservation(run, null, null, null, ClaimPresence.NOT_CHECKED, now);
  }

  public RunObservation withJob(Job job) {
    return new RunObservation(run, job, pod, previousAttemptFailedAt, claim, now);
  }

  public RunObservation withPod(Pod pod) {
    return new RunObservation(run, job, pod, previousAttemptFailedAt, claim, now);
  }

  public RunObservation withPreviousAttemptFailedAt(Instant failedAt) {
    return new RunObservation(run, job, pod, failedAt, claim, now);
  }

  public RunObservation withClaim(ClaimPresence claim) {
    return new RunObservation(run, job, pod, previousAttemptFailedAt, claim, now);
  }
}
