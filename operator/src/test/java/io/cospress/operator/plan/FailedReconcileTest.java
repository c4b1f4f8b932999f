package io.cospress.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailedReconcileTest {

  private static final String FAILURE =
      "creating Job resnet-kd-a1 for attempt 1 failed: HTTP 403: jobs are refused here";

  @Test
  void newRunWhoseJobCannotBeCreatedSaysSoAndIsStillReconciling() {
    PlannedRun run = PlannedRun.standard();

    DistillationRunStatus status =
        FailedReconcile.status(run.run(), FAILURE, false, run.now()).orElseThrow();

    assertThat(status.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(status.getReason()).isEqualTo("ReconcileError");
    assertThat(status.getMessage()).isEqualTo(FAILURE + "; retrying");
    assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Reconciling").getMessage()).isEqualTo(FAILURE + "; retrying");
    assertThat(condition(status, "Stalled").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(status.getObservedGeneration()).isEqualTo(1L);
    assertThat(status.getAttempt()).isEqualTo(1);
    assertThat(status.getJobName()).isEqualTo("resnet-kd-a1");
  }

  @Test
  void lastQuickRetryReportsTheRunStalled() {
    PlannedRun run = PlannedRun.standard();

    DistillationRunStatus status =
        FailedReconcile.status(run.run(), FAILURE, true, run.now()).orElseThrow();

    assertThat(condition(status, "Stalled").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Reconciling").getStatus()).isEqualTo("False");
    assertThat(status.getMessage()).isEqualTo(FAILURE + "; retrying now and then");
  }

  @Test
  void stalledRunStaysStalledOverItsSlowRetriesUntilAReconciliationSucceeds() {
    PlannedRun run = PlannedRun.standard();
    run.applyStatus(FailedReconcile.status(run.run(), FAILURE, true, run.now()).orElseThrow());

    DistillationRunStatus retried =
        FailedReconcile.status(run.run(), FAILURE, false, run.now()).orElseThrow();
    assertThat(condition(retried, "Stalled").getStatus()).isEqualTo("True");

    run.reconcile(null, null);
    assertThat(condition(run.status(), "Stalled").getStatus()).isEqualTo("False");
    assertThat(condition(run.status(), "Reconciling").getStatus()).isEqualTo("True");
    assertThat(run.status().getReason()).isEqualTo("WaitingForPod");
  }

  @Test
  void runningRunKeepsItsPhaseRestartsAndCheckpointAnnouncement() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(null, null);
    run.reconcile(run.failedJob(), run.failedPod(1, "CUDA error"));
    run.after(Duration.ofMinutes(1)).reconcile(o -> o.withPreviousAttemptFailedAt(run.now()));
    run.reconcile(run.activeJob(), run.runningPod());
    run.status().setAnnouncedCheckpoint("ckpt-000003");

    DistillationRunStatus status =
        FailedReconcile.status(run.run(), FAILURE, false, run.now()).orElseThrow();

    assertThat(status.getPhase()).isEqualTo(RunPhase.Running);
    assertThat(status.getRestarts().getTotal()).isEqualTo(1);
    assertThat(status.getAttempt()).isEqualTo(2);
    assertThat(status.getAnnouncedCheckpoint()).isEqualTo("ckpt-000003");
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .as("the domain conditions stay as they were")
        .contains("Scheduled", "Training", "CheckpointSaved");
  }

  @Test
  void finishedRunIsLeftAlone() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(run.completeJob(), null);

    Optional<DistillationRunStatus> status =
        FailedReconcile.status(run.run(), FAILURE, true, run.now());

    assertThat(status).isEmpty();
  }

  private static Condition condition(DistillationRunStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }
}
