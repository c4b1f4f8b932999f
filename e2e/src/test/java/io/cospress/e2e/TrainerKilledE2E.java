package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Checkpoints;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 3: the trainer process is killed with SIGKILL in the middle of an epoch (from this
 * machine, as the kernel's OOM killer or a crash would end it: no shutdown hook runs). The next
 * attempt resumes from the last checkpoint, continuing its step and learning-rate schedule, and the
 * run counts one application-error restart.
 */
@Order(3)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerKilledE2E implements Scenario {

  private static final String NS = "e2e-sigkill";
  private static final int EPOCHS = 5;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private DistillationRun finished;
  private long killedAtStep;
  private Checkpoints.Saved lastBeforeKill;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void killTheTrainerMidEpochAndLetTheRunFinish() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest = RunManifest.quick(NS, "killed", EPOCHS).set("evaluation", "intervalEpochs", EPOCHS);
    watch = RunWatch.of(manifest);
    manifest.apply();

    // Past the first checkpoint (end of epoch 1, step 10) and a few steps into epoch 2.
    killedAtStep =
        TrainerPods.awaitLiveStep(NS, manifest.name(), 1, RunManifest.STEPS_PER_EPOCH + 2);
    Checkpoints checkpoints = workspace.checkpoints(manifest.checkpointPath());
    lastBeforeKill = checkpoints.latest().orElseThrow();
    TrainerPods.killTrainer(TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow());

    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theKillHappenedMidEpochAfterACheckpoint() {
    assertThat(lastBeforeKill.step()).isEqualTo(RunManifest.STEPS_PER_EPOCH);
    assertThat(killedAtStep)
        .isGreaterThan(lastBeforeKill.step())
        .isLessThan(2L * RunManifest.STEPS_PER_EPOCH);
  }

  @Test
  void oneApplicationErrorRestartIsCounted() {
    assertThat(finished.getStatus().getRestarts().getTotal()).isEqualTo(1);
    assertThat(finished.getStatus().getRestarts().getApplicationError()).isEqualTo(1);
    assertThat(finished.getStatus().getRestarts().getPreemption()).isZero();
    assertThat(finished.getStatus().getAttempt()).isEqualTo(2);
    assertThat(watch.phases())
        .containsSubsequence(
            RunPhase.Running, RunPhase.Pending, RunPhase.Running, RunPhase.Succeeded);
    Pod killed = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
    ContainerStateTerminated end =
        TrainerPods.trainer(killed).orElseThrow().getState().getTerminated();
    assertThat(end.getExitCode()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(end.getReason()).isNotEqualTo("OOMKilled");
    assertThat(RunEvents.reasons(NS, manifest.name()))
        .as(RunEvents.describe(NS, manifest.name()))
        .containsSubsequence(
            "AttemptStarted", "AttemptFailed", "AttemptStarted", "TrainingComplete");
  }

  @Test
  void theNextAttemptResumesFromTheLastCheckpointWithStepAndSchedule() {
    Pod second = TrainerPods.ofAttempt(NS, manifest.name(), 2).orElseThrow();
    String log = TrainerPods.logs(second);
    assertThat(log)
        .contains("resuming from")
        .contains(lastBeforeKill.name() + " at epoch 1, batch 0, step " + lastBeforeKill.step());
    // Every status the second trainer reported continued from the checkpoint's step. Until its
    // first report the status still shows the killed trainer's last written progress: writes are
    // at most one per 5 s, so that one may predate the checkpoint (held milestones die with a
    // SIGKILL). The retried trainer's reports all name the checkpoint it resumed from or a later.
    assertThat(watch.history())
        .filteredOn(
            s ->
                Integer.valueOf(2).equals(s.attempt())
                    && s.step() != null
                    && s.checkpoint() != null)
        .allSatisfy(s -> assertThat(s.step()).isGreaterThanOrEqualTo(lastBeforeKill.step()));
    long total = (long) EPOCHS * RunManifest.STEPS_PER_EPOCH;
    assertThat(finished.getStatus().getProgress().getStep()).isEqualTo(total);
    assertThat(finished.getStatus().getProgress().getTotalSteps()).isEqualTo(total);
    // The schedule continued: every learning rate the second attempt logged is the warm-up and
    // cosine schedule's value at the run's step, not at a step counted from zero again.
    java.util.regex.Matcher lines =
        java.util.regex.Pattern.compile("step (\\d+) \\|.*\\| lr ([0-9.e+-]+)").matcher(log);
    int checked = 0;
    while (lines.find()) {
      long step = Long.parseLong(lines.group(1));
      double lr = Double.parseDouble(lines.group(2));
      assertThat(step).isGreaterThanOrEqualTo(lastBeforeKill.step());
      assertThat(lr)
          .as("learning rate logged at step %d", step)
          .isBetween(scheduleAt(step) * 0.97, scheduleAt(step - 1) * 1.03);
      checked++;
    }
    assertThat(checked).as("steps with a learning rate in the log:\n%s", log).isPositive();
  }

  /** The manifest's schedule: 0.002 peak after one warm-up epoch, cosine to 1e-6 at the end. */
  private static double scheduleAt(long step) {
    long warmup = RunManifest.STEPS_PER_EPOCH;
    long total = (long) EPOCHS * RunManifest.STEPS_PER_EPOCH;
    double peak = 0.002;
    double last = 1e-6;
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    double progress = Math.min(1.0, (double) (step - warmup) / (total - warmup));
    return last + 0.5 * (peak - last) * (1 + Math.cos(Math.PI * progress));
  }

  @Test
  void theVolumeHoldsOnlyCompleteCheckpointsOfTheFinishedRun() {
    Checkpoints checkpoints = workspace.checkpoints(manifest.checkpointPath());
    assertThat(checkpoints.latest().orElseThrow().step())
        .isEqualTo((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
    assertThat(checkpoints.entries()).noneMatch(e -> e.startsWith(".tmp-"));
  }
}
