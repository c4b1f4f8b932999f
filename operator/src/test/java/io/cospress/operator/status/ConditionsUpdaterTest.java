package io.cospress.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsUpdaterTest {

  private static final String T0 = "2025-03-01T10:00:00Z";
  private static final String T1 = "2025-03-01T11:30:00Z";

  private final ConditionsUpdater atT0 = updaterAt(Instant.parse(T0).plusMillis(750));
  private final ConditionsUpdater atT1 = updaterAt(Instant.parse(T1));

  @Test
  void newConditionRecordsNowInWholeSecondsAndTheGeneration() {
    List<Condition> conditions =
        atT0.set(List.of(), ConditionTypes.TRAINING, true, "Training", "step 10", 4);

    Condition training = find(conditions, ConditionTypes.TRAINING);
    assertThat(training.getStatus()).isEqualTo("True");
    assertThat(training.getLastTransitionTime()).isEqualTo(T0);
    assertThat(training.getObservedGeneration()).isEqualTo(4L);
  }

  @Test
  void sameStatusWithNewReasonAndMessageKeepsTheTransitionTime() {
    List<Condition> before =
        atT0.set(null, ConditionTypes.READY, false, "WaitingForPod", "creating pod", 1);

    List<Condition> after =
        atT1.set(before, ConditionTypes.READY, false, "Unschedulable", "0/3 nodes", 2);

    Condition ready = find(after, ConditionTypes.READY);
    assertThat(ready.getLastTransitionTime()).isEqualTo(T0);
    assertThat(ready.getReason()).isEqualTo("Unschedulable");
    assertThat(ready.getMessage()).isEqualTo("0/3 nodes");
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void statusFlipMovesTheTransitionTime() {
    List<Condition> before = atT0.set(null, ConditionTypes.READY, false, "Training", "x", 1);

    List<Condition> after =
        atT1.set(before, ConditionTypes.READY, true, "TrainingComplete", "done", 1);

    assertThat(find(after, ConditionTypes.READY).getLastTransitionTime()).isEqualTo(T1);
  }

  @Test
  void inputListAndItsConditionsAreLeftUntouched() {
    List<Condition> before =
        new ArrayList<>(atT0.set(null, ConditionTypes.READY, false, "Training", "x", 1));
    Condition original = before.get(0);

    List<Condition> after = atT1.set(before, ConditionTypes.READY, true, "Done", "y", 2);

    assertThat(after).isNotSameAs(before);
    assertThat(before).hasSize(1);
    assertThat(original.getStatus()).isEqualTo("False");
    assertThat(original.getReason()).isEqualTo("Training");
    assertThat(after.get(0)).isNotSameAs(original);
  }

  @Test
  void conditionsOfOtherTypesKeepTheirPlace() {
    Condition foreign =
        new ConditionBuilder()
            .withType("example.com/Audited")
            .withStatus("True")
            .withReason("Checked")
            .withLastTransitionTime(T0)
            .build();

    List<Condition> after =
        atT1.withPhase(List.of(foreign), resolution(RunPhase.Running, "Training"), 1);

    assertThat(after)
        .extracting(Condition::getType)
        .containsExactly("example.com/Audited", "Ready", "Reconciling", "Stalled");
    assertThat(after.get(0)).isEqualTo(foreign);
  }

  @ParameterizedTest(name = "{0}/{1} -> Ready={2} Reconciling={3} Stalled={4}")
  @CsvSource({
    "Pending,   CreatingJob,         False, True,  False",
    "Queued,    WaitingForAdmission, False, True,  False",
    "Running,   Training,            False, True,  False",
    "Suspended, Suspending,          False, True,  False",
    "Suspended, Suspended,           False, False, False",
    "Succeeded, TrainingComplete,    True,  False, False",
    "Failed,    RestartBudgetExhausted, False, False, True",
  })
  void readyReconcilingAndStalledFollowThePhase(
      RunPhase phase, String reason, String ready, String reconciling, String stalled) {
    List<Condition> conditions = atT0.withPhase(null, resolution(phase, reason), 3);

    assertThat(find(conditions, ConditionTypes.READY).getStatus()).isEqualTo(ready);
    assertThat(find(conditions, ConditionTypes.RECONCILING).getStatus()).isEqualTo(reconciling);
    assertThat(find(conditions, ConditionTypes.STALLED).getStatus()).isEqualTo(stalled);
  }

  @Test
  void failedRunIsStalledNotReadyAndNoLongerReconcilingAsKstatusExpects() {
    List<Condition> running = atT0.withPhase(null, resolution(RunPhase.Running, "Training"), 1);

    List<Condition> failed =
        atT1.withPhase(running, resolution(RunPhase.Failed, "InvalidInput"), 1);

    assertThat(find(failed, ConditionTypes.STALLED).getStatus()).isEqualTo("True");
    assertThat(find(failed, ConditionTypes.STALLED).getLastTransitionTime()).isEqualTo(T1);
    assertThat(find(failed, ConditionTypes.READY).getStatus()).isEqualTo("False");
    assertThat(find(failed, ConditionTypes.READY).getLastTransitionTime()).isEqualTo(T0);
    assertThat(find(failed, ConditionTypes.RECONCILING).getStatus()).isEqualTo("False");
    assertThat(find(failed, ConditionTypes.RECONCILING).getReason()).isEqualTo("InvalidInput");
  }

  @Test
  void runningRunIsReconcilingAsKstatusExpects() {
    List<Condition> conditions = atT0.withPhase(null, resolution(RunPhase.Running, "Training"), 1);

    assertThat(find(conditions, ConditionTypes.RECONCILING).getStatus()).isEqualTo("True");
    assertThat(find(conditions, ConditionTypes.STALLED).getStatus()).isEqualTo("False");
  }

  @Test
  void scheduledCarriesTheSchedulersReasonAndMessage() {
    String message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";

    List<Condition> conditions =
        atT0.withScheduled(
            null,
            TrainerPods.unschedulable(message),
            resolution(RunPhase.Pending, "Unschedulable"),
            1);

    Condition scheduled = find(conditions, ConditionTypes.SCHEDULED);
    assertThat(scheduled.getStatus()).isEqualTo("False");
    assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
    assertThat(scheduled.getMessage()).isEqualTo(message);
  }

  @Test
  void scheduledIsTrueOnceThePodIsBound() {
    List<Condition> conditions =
        atT0.withScheduled(
            null, TrainerPods.running(), resolution(RunPhase.Running, "Training"), 1);

    Condition scheduled = find(conditions, ConditionTypes.SCHEDULED);
    assertThat(scheduled.getStatus()).isEqualTo("True");
    assertThat(scheduled.getMessage()).contains(TrainerPods.NODE_NAME);
  }

  @Test
  void scheduledWithoutPodFollowsThePhaseWhileTheRunIsLive() {
    List<Condition> conditions =
        atT0.withScheduled(
            null, null, new PhaseResolution(RunPhase.Queued, "WaitingForAdmission", "q"), 1);

    Condition scheduled = find(conditions, ConditionTypes.SCHEDULED);
    assertThat(scheduled.getStatus()).isEqualTo("False");
    assertThat(scheduled.getReason()).isEqualTo("WaitingForAdmission");
  }

  @Test
  void scheduledKeepsItsLastValueWhenAFinishedRunsPodIsCleanedUp() {
    List<Condition> whileRunning =
        atT0.withScheduled(
            null, TrainerPods.running(), resolution(RunPhase.Running, "Training"), 1);

    List<Condition> afterCleanup =
        atT1.withScheduled(
            whileRunning, null, resolution(RunPhase.Succeeded, "TrainingComplete"), 2);

    Condition scheduled = find(afterCleanup, ConditionTypes.SCHEDULED);
    assertThat(scheduled.getStatus()).isEqualTo("True");
    assertThat(scheduled.getReason()).isEqualTo("PodScheduled");
    assertThat(scheduled.getLastTransitionTime()).isEqualTo(T0);
    assertThat(scheduled.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void trainingIsTrueOnlyWhileARunningPodTrains() {
    List<Condition> running =
        atT0.withTraining(null, TrainerPods.running(), resolution(RunPhase.Running, "Training"), 1);
    List<Condition> queued =
        atT0.withTraining(null, null, resolution(RunPhase.Queued, "WaitingForAdmission"), 1);

    assertThat(find(running, ConditionTypes.TRAINING).getStatus()).isEqualTo("True");
    assertThat(find(queued, ConditionTypes.TRAINING).getStatus()).isEqualTo("False");
    assertThat(find(queued, ConditionTypes.TRAINING).getReason()).isEqualTo("WaitingForAdmission");
  }

  @Test
  void checkpointSavedIsFalseUntilTheTrainerReportsACheckpoint() {
    List<Condition> conditions = atT0.withCheckpointSaved(null, new CheckpointStatus(), 1);

    Condition saved = find(conditions, ConditionTypes.CHECKPOINT_SAVED);
    assertThat(saved.getStatus()).isEqualTo("False");
    assertThat(saved.getReason()).isEqualTo("NoCheckpoint");
  }

  @Test
  void newerCheckpointUpdatesTheMessageButNotTheTransitionTime() {
    List<Condition> first = atT0.withCheckpointSaved(null, checkpoint("step-000500", 1, 500L), 1);

    List<Condition> second =
        atT1.withCheckpointSaved(first, checkpoint("step-001000", 2, 1000L), 1);

    Condition saved = find(second, ConditionTypes.CHECKPOINT_SAVED);
    assertThat(saved.getStatus()).isEqualTo("True");
    assertThat(saved.getMessage()).startsWith("latest checkpoint step-001000 (epoch 2, step 1000)");
    assertThat(saved.getLastTransitionTime()).isEqualTo(T0);
  }

  @Test
  void updateSetsEveryOperatorConditionInAStableOrder() {
    List<Condition> conditions =
        atT0.update(
            null,
            resolution(RunPhase.Running, "Training"),
            TrainerPods.running(),
            checkpoint("step-000100", 0, 100L),
            7);

    assertThat(conditions)
        .extracting(Condition::getType)
        .containsExactly(
            "Ready", "Reconciling", "Stalled", "Scheduled", "Training", "CheckpointSaved");
    assertThat(conditions).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(7L));
  }

  @Test
  void reasonsAreMadeValidForTheApiServer() {
    assertThat(ConditionsUpdater.validReason("Back-off pulling image!"))
        .isEqualTo("Backoffpullingimage");
    assertThat(ConditionsUpdater.validReason("  ")).isEqualTo("Unspecified");
    assertThat(ConditionsUpdater.validReason(null)).isEqualTo("Unspecified");
    assertThat(ConditionsUpdater.validReason("42Reason:,")).isEqualTo("Reason");
    assertThat(ConditionsUpdater.validReason("OOMKilled")).isEqualTo("OOMKilled");
  }

  @Test
  void overlongMessagesAreTruncatedToTheApiLimit() {
    String huge = "x".repeat(ConditionsUpdater.MAX_MESSAGE_LENGTH + 10);

    List<Condition> conditions = atT0.set(null, ConditionTypes.READY, false, "R", huge, 1);

    assertThat(find(conditions, ConditionTypes.READY).getMessage())
        .hasSize(ConditionsUpdater.MAX_MESSAGE_LENGTH)
        .endsWith("...");
  }

  private static ConditionsUpdater updaterAt(Instant instant) {
    return new ConditionsUpdater(Clock.fixed(instant, ZoneOffset.UTC));
  }

  private static PhaseResolution resolution(RunPhase phase, String reason) {
    return new PhaseResolution(phase, reason, "message for " + reason);
  }

  private static CheckpointStatus checkpoint(String latest, int epoch, long step) {
    CheckpointStatus checkpoint = new CheckpointStatus();
    checkpoint.setLatest(latest);
    checkpoint.setEpoch(epoch);
    checkpoint.setStep(step);
    checkpoint.setTime("2025-03-01T10:59:00Z");
    return checkpoint;
  }

  private static Condition find(List<Condition> conditions, String type) {
    return conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
  }
}
