package io.cospress.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusDiffTest {

  @Test
  void equalStatusesAreNotDifferent() {
    assertThat(StatusDiff.significantlyDifferent(running(), running())).isFalse();
  }

  @Test
  void transitionTimesAloneAreNotADifference() {
    DistillationRunStatus later = running();
    later.getConditions().forEach(c -> c.setLastTransitionTime("2030-01-01T00:00:00Z"));

    assertThat(StatusDiff.significantlyDifferent(running(), later)).isFalse();
  }

  @Test
  void conditionOrderIsNotADifference() {
    DistillationRunStatus reordered = running();
    List<Condition> reversed = new ArrayList<>(reordered.getConditions());
    java.util.Collections.reverse(reversed);
    reordered.setConditions(reversed);

    assertThat(StatusDiff.significantlyDifferent(running(), reordered)).isFalse();
  }

  @Test
  void trainerFieldsAreNotTheOperatorsConcern() {
    DistillationRunStatus withProgress = running();
    withProgress.setProgress(new ProgressStatus());
    withProgress.setCheckpoint(new CheckpointStatus());

    assertThat(StatusDiff.significantlyDifferent(running(), withProgress)).isFalse();
  }

  @Test
  void phaseChangeIsADifference() {
    DistillationRunStatus succeeded = running();
    succeeded.setPhase(RunPhase.Succeeded);

    assertThat(StatusDiff.significantlyDifferent(running(), succeeded)).isTrue();
  }

  @Test
  void messageChangeIsADifference() {
    DistillationRunStatus moved = running();
    moved.setMessage("attempt 2 is training in pod p on node gpu-node-7");

    assertThat(StatusDiff.significantlyDifferent(running(), moved)).isTrue();
  }

  @Test
  void conditionStatusOrMessageChangeIsADifference() {
    DistillationRunStatus flipped = running();
    flipped.getConditions().get(0).setStatus("True");
    DistillationRunStatus reworded = running();
    reworded.getConditions().get(1).setMessage("new words");

    assertThat(StatusDiff.significantlyDifferent(running(), flipped)).isTrue();
    assertThat(StatusDiff.significantlyDifferent(running(), reworded)).isTrue();
  }

  @Test
  void newGenerationIsADifference() {
    DistillationRunStatus newer = running();
    newer.setObservedGeneration(5L);

    assertThat(StatusDiff.significantlyDifferent(running(), newer)).isTrue();
  }

  @Test
  void restartCountChangeIsADifference() {
    DistillationRunStatus restarted = running();
    restarted.setRestarts(RestartCounts.after(restarted.getRestarts(), RestartCause.PREEMPTION));

    assertThat(StatusDiff.significantlyDifferent(running(), restarted)).isTrue();
  }

  @Test
  void attemptOrJobChangeIsADifference() {
    DistillationRunStatus nextAttempt = running();
    nextAttempt.setAttempt(3);
    DistillationRunStatus otherJob = running();
    otherJob.setJobName("resnet-kd-a3");

    assertThat(StatusDiff.significantlyDifferent(running(), nextAttempt)).isTrue();
    assertThat(StatusDiff.significantlyDifferent(running(), otherJob)).isTrue();
  }

  @Test
  void missingStatusDiffersFromAnyStatus() {
    assertThat(StatusDiff.significantlyDifferent(null, null)).isFalse();
    assertThat(StatusDiff.significantlyDifferent(null, running())).isTrue();
    assertThat(StatusDiff.significantlyDifferent(running(), null)).isTrue();
  }

  private static DistillationRunStatus running() {
    return OperatorStatus.builder()
        .resolution(
            new PhaseResolution(RunPhase.Running, "Training", "attempt 2 is training in pod p"))
        .conditions(
            List.of(
                condition("Ready", "False"),
                condition("Reconciling", "True"),
                condition("Stalled", "False")))
        .observedGeneration(4L)
        .attempt(2)
        .jobName("resnet-kd-a2")
        .restarts(RestartCounts.after(null, RestartCause.APPLICATION_ERROR))
        .build();
  }

  private static Condition condition(String type, String status) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason("Training")
        .withMessage("attempt 2 is training in pod p")
        .withObservedGeneration(4L)
        .withLastTransitionTime("2025-03-01T10:00:00Z")
        .build();
  }
}
