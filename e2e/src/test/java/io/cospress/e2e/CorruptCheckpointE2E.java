package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Checkpoints;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 8: after the trainer dies, and before the operator's retry starts, the newest checkpoint
 * on the volume is damaged (one byte of its student file). The next attempt detects it by its
 * checksum, falls back to the checkpoint before it, reports that checkpoint as the one it continues
 * from, and finishes the run.
 */
@Order(8)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptCheckpointE2E implements Scenario {

  private static final String NS = "e2e-corrupt";
  private static final int EPOCHS = 4;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private Checkpoints.Saved corrupted;
  private Checkpoints.Saved previous;
  private DistillationRun finished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void corruptTheNewestCheckpointBeforeTheRetry() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest =
        RunManifest.quick(NS, "corrupted", EPOCHS)
            .set("evaluation", "intervalEpochs", EPOCHS)
            .set("checkpoint", "keep", 3);
    watch = RunWatch.of(manifest);
    manifest.apply();

    // Two checkpoints (end of epochs 1 and 2), then a few steps into epoch 3.
    TrainerPods.awaitLiveStep(NS, manifest.name(), 1, 2L * RunManifest.STEPS_PER_EPOCH + 2);
    TrainerPods.killTrainer(TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow());
    List<Checkpoints.Saved> saved = workspace.checkpoints(manifest.checkpointPath()).list();
    assertThat(saved).extracting(Checkpoints.Saved::step).containsExactly(10L, 20L);
    previous = saved.get(0);
    corrupted = saved.get(1);
    // The operator waits at least 10 s before the next attempt; the damage is done well before.
    Checkpoints.corrupt(corrupted);
    assertThat(TrainerPods.ofAttempt(NS, manifest.name(), 2)).as("no second attempt yet").isEmpty();

    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theRetryDetectedTheCorruptCheckpointAndFellBackToThePreviousOne() {
    String log = TrainerPods.logs(TrainerPods.ofAttempt(NS, manifest.name(), 2).orElseThrow());
    assertThat(log)
        .contains(corrupted.name() + " is corrupt (")
        .contains("does not match its checksum")
        .contains("falling back to the one before")
        .contains(previous.name() + " at epoch 1, batch 0, step " + previous.step());
  }

  @Test
  void theStatusNamesTheCheckpointTheRetryContinuedFrom() {
    // Before the kill the status named the newer checkpoint; the retry's first report names the
    // one it actually resumed from, and its steps continue from there.
    List<RunWatch.Seen> history = watch.history();
    assertThat(history)
        .filteredOn(s -> Integer.valueOf(1).equals(s.attempt()))
        .extracting(RunWatch.Seen::checkpoint)
        .contains(corrupted.name());
    // The retry's status starts with what attempt 1 last reported (the newer checkpoint); the
    // retried trainer's first report replaces it with the checkpoint it resumed from.
    RunWatch.Seen firstReportOfRetry =
        history.stream()
            .filter(s -> Integer.valueOf(2).equals(s.attempt()))
            .filter(s -> s.checkpoint() != null && !s.checkpoint().equals(corrupted.name()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(watch.describeHistory()));
    assertThat(firstReportOfRetry.checkpoint())
        .as(watch.describeHistory())
        .isEqualTo(previous.name());
    assertThat(firstReportOfRetry.step())
        .as("the retry trains on from the older checkpoint's step")
        .isGreaterThanOrEqualTo(previous.step())
        .isLessThanOrEqualTo(corrupted.step());
    assertThat(finished.getStatus().getRestarts().getApplicationError()).isEqualTo(1);
    assertThat(finished.getStatus().getProgress().getStep())
        .isEqualTo((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
  }

  @Test
  void theDamagedCheckpointWasReplacedByASoundOneOfTheSameStep() {
    Checkpoints checkpoints = workspace.checkpoints(manifest.checkpointPath());
    assertThat(checkpoints.list())
        .extracting(Checkpoints.Saved::step)
        .contains(corrupted.step(), (long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
    assertThat(checkpoints.entries()).noneMatch(e -> e.startsWith(".tmp-"));
  }
}
