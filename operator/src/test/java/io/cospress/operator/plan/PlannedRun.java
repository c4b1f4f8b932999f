package io.cospress.operator.plan;

import io.cospress.api.schema.SchemaDefaults;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.plan.RunObservation.ClaimPresence;
import io.cospress.operator.status.RestartCounts;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * A run driven by the real {@link RunPlanner} without an API server: each {@link #reconcile} plans
 * from an observation and stores the planned status the way server-side apply merges it (the
 * operator's fields replaced, the trainer's kept). Tests that check what tools read from a status
 * build it through here, so they see exactly what the operator writes.
 */
public final class PlannedRun {

  public static final String NAME = "resnet-kd";
  public static final String NAMESPACE = "ml";
  public static final String NODE = "gpu-node-1";
  public static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  private final DistillationRun run;
  private final RunPlanner planner;
  private Instant now = START;
  private RunPlan lastPlan;

  public PlannedRun(RunPlanner planner) {
    this.planner = planner;
    run = new DistillationRun();
    run.setMetadata(
        new ObjectMetaBuilder()
            .withName(NAME)
            .withNamespace(NAMESPACE)
            .withGeneration(1L)
            .withUid("5f0c7a4e-2b1d-4c3e-9a8f-0d1e2f3a4b5c")
            .withCreationTimestamp(START.toString())
            .build());
    // As the API server stores a run: every schema default filled in.
    run.setSpec(SchemaDefaults.of(new DistillationRunSpec()));
    run.setStatus(null); // the API server drops status on create
  }

  /** A run planned with the standard images, retry policy and a 15-minute pending limit. */
  public static PlannedRun standard() {
    return new PlannedRun(
        new RunPlanner(TrainerDefaults.standard(), new RetryPolicy(), Duration.ofMinutes(15)));
  }

  public DistillationRun run() {
    return run;
  }

  public DistillationRunStatus status() {
    return run.getStatus();
  }

  public RunPlan lastPlan() {
    return lastPlan;
  }

  public Instant now() {
    return now;
  }

  /** Lets {@code duration} pass before the next reconciliation. */
  public PlannedRun after(Duration duration) {
    now = now.plus(duration);
    return this;
  }

  /** A spec change, which bumps the generation as the API server does. */
  public PlannedRun editSpec(UnaryOperator<DistillationRunSpec> edit) {
    run.setSpec(edit.apply(run.getSpec()));
    run.getMetadata().setGeneration(run.getMetadata().getGeneration() + 1);
    return this;
  }

  /** Plans with {@code job} and {@code pod} observed, the claim present, and applies the status. */
  public RunPlan reconcile(Job job, Pod pod) {
    return reconcile(o -> o.withJob(job).withPod(pod));
  }

  /** Plans from an observation {@code observe} completes, and applies the status. */
  public RunPlan reconcile(UnaryOperator<RunObservation> observe) {
    RunObservation observation =
        observe.apply(
            RunObservation.of(run, now)
                .withClaim(
                    run.getSpec().getCheckpoint() != null
                            && run.getSpec().getCheckpoint().getClaimName() != null
                        ? ClaimPresence.PRESENT
                        : ClaimPresence.NOT_REQUESTED));
    lastPlan = planner.plan(observation);
    applyStatus(lastPlan.status());
    return lastPlan;
  }

  /** Stores an operator status as server-side apply merges it beside the trainer's fields. */
  public void applyStatus(DistillationRunStatus operatorStatus) {
    DistillationRunStatus current = run.getStatus();
    if (current != null) {
      operatorStatus.setProgress(current.getProgress());
      operatorStatus.setMetrics(current.getMetrics());
      operatorStatus.setCheckpoint(current.getCheckpoint());
    }
    run.setStatus(operatorStatus);
  }

  /** The attempt the status points at. */
  public int attempt() {
    return RestartCounts.of(run.getStatus()).getTotal() + 1;
  }

  /** The current attempt's Job as {@link TrainerJobFactory} builds it, before any status. */
  public JobBuilder job() {
    return new JobBuilder(TrainerJobFactory.build(run, attempt(), TrainerDefaults.standard()))
        .editMetadata()
        .withCreationTimestamp(now.toString())
        .endMetadata();
  }

  /** A pod of the current attempt's Job in {@code phase}, created now. */
  public PodBuilder pod(String phase) {
    String jobName = TrainerJobFactory.jobName(run, attempt());
    return new PodBuilder()
        .withNewMetadata()
        .withName(jobName + "-7xk2p")
        .withNamespace(NAMESPACE)
        .withCreationTimestamp(now.toString())
        .addToLabels(CosPressConstants.LABEL_ATTEMPT, String.valueOf(attempt()))
        .addToLabels("job-name", jobName)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  /** The current attempt's Job with one active pod. */
  public Job activeJob() {
    return job().withNewStatus().withActive(1).withStartTime(now.toString()).endStatus().build();
  }

  /** The current attempt's Job as Kueue holds it before admission. */
  public Job queuedJob() {
    return job().editSpec().withSuspend(true).endSpec().build();
  }

  public Job completeJob() {
    return finishedJob("Complete", null, null);
  }

  /** The current attempt's Job, failed now (its Failed condition's time). */
  public Job failedJob() {
    return finishedJob(
        "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  }

  private Job finishedJob(String type, String reason, String message) {
    return job()
        .withNewStatus()
        .withActive(0)
        .addNewCondition()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now.toString())
        .endCondition()
        .endStatus()
        .build();
  }

  public Pod runningPod() {
    return pod("Running")
        .editStatus()
        .addToConditions(scheduled("True", null, null))
        .endStatus()
        .build();
  }

  public Pod unschedulablePod(String schedulerMessage) {
    return pod("Pending")
        .editSpec()
        .withNodeName(null)
        .endSpec()
        .editStatus()
        .addToConditions(scheduled("False", "Unschedulable", schedulerMessage))
        .endStatus()
        .build();
  }

  /** A bound pod whose trainer container waits, e.g. for its image. */
  public Pod waitingPod(String reason, String message) {
    return pod("Pending")
        .editStatus()
        .addToConditions(scheduled("True", null, null))
        .addNewContainerStatus()
        .withName("trainer")
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  /** A Failed pod whose trainer exited with {@code exitCode}, plus any extra pod conditions. */
  public Pod failedPod(int exitCode, String message, PodCondition... conditions) {
    return pod("Failed")
        .editStatus()
        .addToConditions(conditions)
        .addNewContainerStatus()
        .withName("trainer")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason("Error")
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  public static PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static PodCondition scheduled(String status, String reason, String message) {
    return condition("PodScheduled", status, reason, message);
  }
}
