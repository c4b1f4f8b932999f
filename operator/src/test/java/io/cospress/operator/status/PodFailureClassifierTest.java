package io.cospress.operator.status;

import static io.cospress.operator.status.TrainerPods.disrupted;
import static io.cospress.operator.status.TrainerPods.disruptionTarget;
import static io.cospress.operator.status.TrainerPods.failedWithExit;
import static io.cospress.operator.status.TrainerPods.failedWithStatusReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PodFailureClassifierTest {

  @Test
  void exitCodeTwoIsInvalidInputWithTheTerminationMessage() {
    Pod pod =
        failedWithExit(
                2, "Error", "spec.dataset.train.path: /data/train does not exist or is empty\n")
            .build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.INVALID_INPUT);
    assertThat(result.reason()).isEqualTo("InvalidInput");
    assertThat(result.message())
        .isEqualTo("spec.dataset.train.path: /data/train does not exist or is empty");
  }

  @Test
  void exitCodeTwoWithoutTerminationMessagePointsToTheLog() {
    Pod pod = failedWithExit(2, "Error", "  ").build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.INVALID_INPUT);
    assertThat(result.message()).contains("exit code 2").contains("log");
  }

  @Test
  void exitCodeTwoWinsOverAConcurrentDisruption() {
    Pod pod =
        failedWithExit(2, "Error", "spec.student.module: unknown architecture")
            .editStatus()
            .addToConditions(disruptionTarget("True", "EvictionByEvictionAPI", "drained"))
            .endStatus()
            .build();

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.INVALID_INPUT);
  }

  @Test
  void schedulerPreemptionIsPreemptionAndKeepsTheSchedulerMessage() {
    Pod pod =
        disrupted(
            "PreemptionByScheduler", "Preempted in order to admit critical pod ml/urgent", 143);

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.PREEMPTION);
    assertThat(result.reason()).isEqualTo("PreemptionByScheduler");
    assertThat(result.message()).isEqualTo("Preempted in order to admit critical pod ml/urgent");
  }

  @Test
  void evictionThroughTheEvictionApiIsPreemption() {
    Pod pod = disrupted("EvictionByEvictionAPI", "Eviction API: evicting", 143);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.PREEMPTION);
  }

  @Test
  void terminationByKubeletIsPreemption() {
    Pod pod = disrupted("TerminationByKubelet", "The node was low on resource: memory.", 137);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.PREEMPTION);
  }

  @Test
  void deletionByTaintManagerIsNodeLoss() {
    Pod pod = disrupted("DeletionByTaintManager", "Taint manager: deleting due to NoExecute", 143);

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.NODE_LOSS);
    assertThat(result.reason()).isEqualTo("DeletionByTaintManager");
  }

  @Test
  void deletionByPodGarbageCollectionIsNodeLoss() {
    Pod pod = disrupted("DeletionByPodGC", "PodGC: node no longer exists", 137);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.NODE_LOSS);
  }

  @Test
  void knownDisruptionWinsOverACrashWhileShuttingDown() {
    Pod pod = disrupted("PreemptionByScheduler", "Preempted", 1);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.PREEMPTION);
  }

  @Test
  void disruptionTargetResetToFalseIsIgnored() {
    Pod pod =
        failedWithExit(1, "Error", "CUDA error: an illegal memory access was encountered")
            .editStatus()
            .addToConditions(disruptionTarget("False", "EvictionByEvictionAPI", "blocked by PDB"))
            .endStatus()
            .build();

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.APPLICATION_ERROR);
  }

  @Test
  void kubeletEvictedStatusReasonIsPreemption() {
    Pod pod =
        failedWithStatusReason("Evicted", "The node was low on resource: ephemeral-storage.", 137);

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.PREEMPTION);
    assertThat(result.reason()).isEqualTo("Evicted");
    assertThat(result.message()).isEqualTo("The node was low on resource: ephemeral-storage.");
  }

  @Test
  void gracefulNodeShutdownStatusReasonIsPreemption() {
    Pod pod =
        failedWithStatusReason(
            "Terminated", "Pod was terminated in response to imminent node shutdown.", 143);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.PREEMPTION);
  }

  @Test
  void nodeLostStatusReasonIsNodeLoss() {
    Pod pod =
        failedWithStatusReason(
            "NodeLost", "Node gpu-node-1 which was running pod is unresponsive", 0);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.NODE_LOSS);
  }

  @Test
  void unexpectedAdmissionErrorIsNodeLoss() {
    Pod pod =
        TrainerPods.inPhase("Failed")
            .editStatus()
            .withReason("UnexpectedAdmissionError")
            .withMessage("Allocate failed due to no healthy devices present; nvidia.com/gpu")
            .endStatus()
            .build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.NODE_LOSS);
    assertThat(result.reason()).isEqualTo("UnexpectedAdmissionError");
  }

  @Test
  void outOfMemoryKillIsAnApplicationError() {
    Pod pod = failedWithExit(137, "OOMKilled", null).build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.APPLICATION_ERROR);
    assertThat(result.reason()).isEqualTo("OOMKilled");
    assertThat(result.message()).contains("ran out of memory");
  }

  @Test
  void sigtermExitUnderADisruptionOfUnknownReasonIsPreemption() {
    Pod pod = disrupted("SomeFutureDisruption", "stopped by a future controller", 143);

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.PREEMPTION);
    assertThat(result.reason()).isEqualTo("SomeFutureDisruption");
  }

  @Test
  void sigkillAfterTheGracePeriodUnderADisruptionIsPreemption() {
    Pod pod = disrupted("SomeFutureDisruption", "stopped", 137);

    assertThat(PodFailureClassifier.classify(pod, null).cause()).isEqualTo(RestartCause.PREEMPTION);
  }

  @Test
  void sigtermExitWithoutADisruptionIsAnApplicationError() {
    Pod pod = failedWithExit(143, "Error", null).build();

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.APPLICATION_ERROR);
  }

  @Test
  void ordinaryExitUnderADisruptionOfUnknownReasonIsAnApplicationError() {
    Pod pod = disrupted("SomeFutureDisruption", "stopped", 1);

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.APPLICATION_ERROR);
  }

  @Test
  void nonZeroExitIsAnApplicationErrorCarryingTheTerminationMessage() {
    Pod pod = failedWithExit(1, "Error", "java.lang.IllegalStateException: NaN loss").build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.APPLICATION_ERROR);
    assertThat(result.reason()).isEqualTo("TrainerError");
    assertThat(result.message())
        .isEqualTo("the trainer exited with code 1: java.lang.IllegalStateException: NaN loss");
  }

  @Test
  void lastStateTerminationIsReadWhenTheContainerWasRestartedInPlace() {
    Pod pod =
        TrainerPods.inPhase("Failed")
            .editStatus()
            .addNewContainerStatus()
            .withName("trainer")
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(2)
            .withMessage("spec.training.epochs: must be at least 1")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.INVALID_INPUT);
  }

  @Test
  void podDeletedWhileRunningWithoutAnySignalIsPreemption() {
    Pod pod =
        TrainerPods.inPhase("Running")
            .editMetadata()
            .withDeletionTimestamp(Instant.parse("2025-03-01T10:00:00Z").toString())
            .endMetadata()
            .build();

    FailureClassification result = PodFailureClassifier.classify(pod, null);

    assertThat(result.cause()).isEqualTo(RestartCause.PREEMPTION);
    assertThat(result.reason()).isEqualTo("PodDeleted");
  }

  @Test
  void failedAttemptWhosePodIsGoneIsPreemption() {
    FailureClassification result =
        PodFailureClassifier.classify(
            null,
            TrainerJobs.failed("BackoffLimitExceeded", "Job has reached the specified backoff"));

    assertThat(result.cause()).isEqualTo(RestartCause.PREEMPTION);
    assertThat(result.reason()).isEqualTo("PodGone");
    assertThat(result.message()).contains(TrainerJobs.JOB_NAME);
  }

  @Test
  void jobPastItsDeadlineIsAnApplicationError() {
    FailureClassification result =
        PodFailureClassifier.classify(
            null, TrainerJobs.failed("DeadlineExceeded", "Job was active longer than specified"));

    assertThat(result.cause()).isEqualTo(RestartCause.APPLICATION_ERROR);
    assertThat(result.reason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void failedPodWithoutAnyExitCodeIsAnApplicationError() {
    Pod pod = TrainerPods.inPhase("Failed").build();

    assertThat(PodFailureClassifier.classify(pod, null).cause())
        .isEqualTo(RestartCause.APPLICATION_ERROR);
  }
}
