package io.cospress.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.FailureClassification;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.RestartCause;
import io.cospress.operator.status.RetryDecision;
import io.cospress.operator.status.RetryPolicy;
import io.cospress.operator.status.StatusReasons;
import io.cospress.operator.status.TrainerJobs;
import io.cospress.operator.status.TrainerPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

class PhaseResolverTest {

  private static final String GPU_SHORTAGE =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are"
          + " available: 3 No preemption victims found for incoming pod.";

  @Test
  void runWithoutJobIsPendingWhileTheJobIsCreated() {
    PhaseResolution result = resolve(PhaseFacts.builder());

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo(StatusReasons.CREATING_JOB);
  }

  @Test
  void jobSuspendedByKueueIsQueuedNamingTheQueue() {
    PhaseResolution result =
        resolve(PhaseFacts.builder().job(TrainerJobs.suspendedByKueue("team-a-gpus")));

    assertThat(result.phase()).isEqualTo(RunPhase.Queued);
    assertThat(result.reason()).isEqualTo(StatusReasons.WAITING_FOR_ADMISSION);
    assertThat(result.message()).isEqualTo("waiting for Kueue admission in queue team-a-gpus");
  }

  @Test
  void suspendedJobWithoutKueueLabelIsQueuedWhenTheSpecNamesAQueue() {
    Job job = TrainerJobs.active().editSpec().withSuspend(true).endSpec().build();

    PhaseResolution result = resolve(PhaseFacts.builder().queueName("team-b").job(job));

    assertThat(result.phase()).isEqualTo(RunPhase.Queued);
    assertThat(result.message()).endsWith("queue team-b");
  }

  @Test
  void suspendedJobWithoutAnyQueueIsPending() {
    Job job = TrainerJobs.active().editSpec().withSuspend(true).endSpec().build();

    PhaseResolution result = resolve(PhaseFacts.builder().job(job));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo(StatusReasons.JOB_SUSPENDED);
  }

  @Test
  void jobWithoutPodIsPendingWaitingForThePod() {
    PhaseResolution result = resolve(PhaseFacts.builder().job(TrainerJobs.active().build()));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo(StatusReasons.WAITING_FOR_POD);
  }

  @Test
  void unschedulablePodIsPendingWithTheSchedulersMessageVerbatim() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.active().build())
                .pod(TrainerPods.unschedulable(GPU_SHORTAGE)));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo("Unschedulable");
    assertThat(result.message()).isEqualTo(GPU_SHORTAGE);
  }

  @Test
  void schedulingGatedPodPassesTheGateReasonThrough() {
    Pod pod =
        TrainerPods.inPhase("Pending")
            .editStatus()
            .addToConditions(
                TrainerPods.podScheduled(
                    "False", "SchedulingGated", "Scheduling is blocked due to non-empty gates"))
            .endStatus()
            .build();

    PhaseResolution result =
        resolve(PhaseFacts.builder().job(TrainerJobs.active().build()).pod(pod));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo("SchedulingGated");
  }

  @Test
  void podNotYetSeenByTheSchedulerIsPending() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.active().build())
                .pod(TrainerPods.inPhase("Pending").build()));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo(StatusReasons.WAITING_FOR_SCHEDULER);
  }

  @Test
  void scheduledPodPullingItsImageIsPendingWithTheKubeletsReason() {
    Pod pod =
        TrainerPods.inPhase("Pending")
            .editStatus()
            .addToConditions(TrainerPods.podScheduled("True", null, null))
            .addNewContainerStatus()
            .withName("trainer")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"ghcr.io/cospress/trainer:typo\"")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();

    PhaseResolution result =
        resolve(PhaseFacts.builder().job(TrainerJobs.active().build()).pod(pod));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo("ImagePullBackOff");
    assertThat(result.message()).contains("ghcr.io/cospress/trainer:typo");
  }

  @Test
  void runningPodIsRunningAndNamesAttemptPodAndNode() {
    PhaseResolution result =
        resolve(PhaseFacts.builder().job(TrainerJobs.active().build()).pod(TrainerPods.running()));

    assertThat(result.phase()).isEqualTo(RunPhase.Running);
    assertThat(result.reason()).isEqualTo(StatusReasons.TRAINING);
    assertThat(result.message())
        .isEqualTo(
            "attempt 2 is training in pod "
                + TrainerPods.POD_NAME
                + " on node "
                + TrainerPods.NODE_NAME);
  }

  @Test
  void runningPodBeingPreemptedIsRunningButDisrupted() {
    Pod pod =
        TrainerPods.inPhase("Running")
            .editStatus()
            .addToConditions(
                TrainerPods.disruptionTarget("True", "PreemptionByScheduler", "Preempted by ml/x"))
            .endStatus()
            .build();

    PhaseResolution result =
        resolve(PhaseFacts.builder().job(TrainerJobs.active().build()).pod(pod));

    assertThat(result.phase()).isEqualTo(RunPhase.Running);
    assertThat(result.reason()).isEqualTo(StatusReasons.DISRUPTED);
    assertThat(result.message()).contains("PreemptionByScheduler").contains("Preempted by ml/x");
  }

  @Test
  void succeededPodStaysRunningUntilTheJobIsComplete() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.active().build())
                .pod(TrainerPods.inPhase("Succeeded").build()));

    assertThat(result.phase()).isEqualTo(RunPhase.Running);
    assertThat(result.reason()).isEqualTo(StatusReasons.FINISHING);
  }

  @Test
  void completeJobIsSucceeded() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.complete())
                .pod(TrainerPods.inPhase("Succeeded").build()));

    assertThat(result.phase()).isEqualTo(RunPhase.Succeeded);
    assertThat(result.reason()).isEqualTo(StatusReasons.TRAINING_COMPLETE);
  }

  @Test
  void failedPodWithoutDecisionIsPendingWithTheFailureExplained() {
    Pod pod = TrainerPods.failedWithExit(1, "Error", "NaN loss at step 1200").build();

    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.failed("BackoffLimitExceeded", "Job has reached the limit"))
                .pod(pod));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo(StatusReasons.ATTEMPT_FAILED);
    assertThat(result.message()).contains("NaN loss at step 1200");
  }

  @Test
  void pendingRetryIsPendingInBackoffNamingAttemptAndDelay() {
    RetryDecision retry = new RetryPolicy().decide(3, null, RestartCause.PREEMPTION);

    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.failed("BackoffLimitExceeded", "limit"))
                .failureDecision(retry));

    assertThat(result.phase()).isEqualTo(RunPhase.Pending);
    assertThat(result.reason()).isEqualTo("BackoffBeforeRetry");
    assertThat(result.message()).startsWith("attempt 2 starts in 10s");
  }

  @Test
  void givingUpIsFailedWithTheDecisionsReason() {
    FailureClassification invalid =
        new FailureClassification(
            RestartCause.INVALID_INPUT, "InvalidInput", "spec.teacher.model: not found");
    RetryDecision giveUp = new RetryPolicy().decide(3, null, invalid);

    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .job(TrainerJobs.failed("BackoffLimitExceeded", "limit"))
                .failureDecision(giveUp));

    assertThat(result.phase()).isEqualTo(RunPhase.Failed);
    assertThat(result.reason()).isEqualTo("InvalidInput");
    assertThat(result.message()).isEqualTo("spec.teacher.model: not found");
  }

  @Test
  void suspendRequestedWhileThePodRunsIsSuspending() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .suspendRequested(true)
                .job(TrainerJobs.active().build())
                .pod(TrainerPods.running()));

    assertThat(result.phase()).isEqualTo(RunPhase.Suspended);
    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDING);
    assertThat(result.isReconciling()).isTrue();
  }

  @Test
  void suspendRequestedWithTheJobSuspendedAndThePodGoneIsSuspended() {
    Job job = TrainerJobs.active().editSpec().withSuspend(true).endSpec().build();

    PhaseResolution result = resolve(PhaseFacts.builder().suspendRequested(true).job(job));

    assertThat(result.phase()).isEqualTo(RunPhase.Suspended);
    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDED);
    assertThat(result.isReconciling()).isFalse();
  }

  @Test
  void suspendRequestedWithoutJobIsSuspended() {
    PhaseResolution result = resolve(PhaseFacts.builder().suspendRequested(true));

    assertThat(result.phase()).isEqualTo(RunPhase.Suspended);
    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDED);
  }

  @Test
  void suspendRequestedWhileThePodOfTheDeletedJobStillRunsIsSuspending() {
    PhaseResolution result =
        resolve(PhaseFacts.builder().suspendRequested(true).pod(TrainerPods.running()));

    assertThat(result.phase()).isEqualTo(RunPhase.Suspended);
    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDING);
    assertThat(result.message()).contains(TrainerPods.POD_NAME + " to checkpoint and exit");
    assertThat(result.isReconciling()).isTrue();
  }

  @Test
  void suspendRequestedWhileTheExitedPodOfTheDeletedJobIsStillBeingRemovedIsSuspending() {
    Pod exiting =
        TrainerPods.failedWithExit(143, "Error", "stopped")
            .editMetadata()
            .withDeletionTimestamp("2026-01-10T12:03:00Z")
            .endMetadata()
            .build();

    PhaseResolution result = resolve(PhaseFacts.builder().suspendRequested(true).pod(exiting));

    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDING);
  }

  @Test
  void suspendRequestedWhenThePodOfTheDeletedJobHasExitedIsSuspended() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .suspendRequested(true)
                .pod(TrainerPods.failedWithExit(143, "Error", "stopped").build()));

    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDED);
    assertThat(result.isReconciling()).isFalse();
  }

  @Test
  void suspendRequestedWhileTheJobIsStillLiveIsSuspending() {
    PhaseResolution result =
        resolve(PhaseFacts.builder().suspendRequested(true).job(TrainerJobs.active().build()));

    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDING);
  }

  @Test
  void suspendTakesPrecedenceOverAPendingRetry() {
    RetryDecision retry = new RetryPolicy().decide(3, null, RestartCause.APPLICATION_ERROR);

    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .suspendRequested(true)
                .job(TrainerJobs.failed("BackoffLimitExceeded", "limit"))
                .failureDecision(retry));

    assertThat(result.phase()).isEqualTo(RunPhase.Suspended);
    assertThat(result.reason()).isEqualTo(StatusReasons.SUSPENDED);
  }

  @Test
  void completionTakesPrecedenceOverALateSuspend() {
    PhaseResolution result =
        resolve(PhaseFacts.builder().suspendRequested(true).job(TrainerJobs.complete()));

    assertThat(result.phase()).isEqualTo(RunPhase.Succeeded);
  }

  @Test
  void succeededIsKeptAfterTheJobIsGone() {
    PhaseResolution result =
        PhaseResolver.keptFinal(status(RunPhase.Succeeded, "TrainingComplete", "done in 3h"));

    assertThat(result)
        .isEqualTo(new PhaseResolution(RunPhase.Succeeded, "TrainingComplete", "done in 3h"));
  }

  @Test
  void succeededWithoutReasonIsKeptWithTheDefaultReason() {
    PhaseResolution result = PhaseResolver.keptFinal(status(RunPhase.Succeeded, null, null));

    assertThat(result.phase()).isEqualTo(RunPhase.Succeeded);
    assertThat(result.reason()).isEqualTo(StatusReasons.TRAINING_COMPLETE);
  }

  @Test
  void nonTerminalPreviousPhaseIsRederived() {
    PhaseResolution result =
        resolve(
            PhaseFacts.builder()
                .previousStatus(status(RunPhase.Running, "Training", "old"))
                .job(TrainerJobs.suspendedByKueue("q")));

    assertThat(result.phase()).isEqualTo(RunPhase.Queued);
  }

  @Test
  void observationForARunTakesSuspendQueueAndStatusFromIt() {
    DistillationRun run = new DistillationRun();
    DistillationRunSpec spec = new DistillationRunSpec();
    spec.setSuspend(true);
    spec.setQueueName("team-a");
    run.setSpec(spec);
    run.setStatus(status(RunPhase.Running, "Training", "x"));

    PhaseFacts observation = PhaseFacts.forRun(run).build();

    assertThat(observation.suspendRequested()).isTrue();
    assertThat(observation.queueName()).isEqualTo("team-a");
    assertThat(observation.previousStatus().getPhase()).isEqualTo(RunPhase.Running);
  }

  private static PhaseResolution resolve(PhaseFacts.Builder observation) {
    return PhaseResolver.resolve(observation.build());
  }

  private static DistillationRunStatus status(RunPhase phase, String reason, String message) {
    DistillationRunStatus status = new DistillationRunStatus();
    status.setPhase(phase);
    status.setReason(reason);
    status.setMessage(message);
    return status;
  }
}
