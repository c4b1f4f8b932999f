package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Command;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 7: the API server is stopped for several seconds and started again while a run trains
 * ({@code hack/cluster.sh restart kube-apiserver}). The trainer keeps training through it and its
 * later status writes land; the operator (reconnecting, or restarting after losing its lease)
 * finishes the run; nothing is lost or duplicated.
 */
@Order(7)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerRestartE2E implements Scenario {

  private static final String NS = "e2e-apiserver";
  // Long enough that training goes on after the API server is back: the test proves writes land
  // after the restart, which a run that ends during the outage cannot show.
  private static final int EPOCHS = 24;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private Instant restarted;
  private DistillationRun finished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void restartTheApiServerWhileARunTrains() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest =
        RunManifest.quick(NS, "through-restart", EPOCHS).set("evaluation", "intervalEpochs", 4);
    watch = RunWatch.of(manifest);
    manifest.apply();
    TrainerPods.awaitLiveStep(NS, manifest.name(), 1, 2);

    Command.clusterScript(Duration.ofMinutes(4), "restart", "kube-apiserver", "--down-for", "5")
        .requireSuccess();
    restarted = Instant.now();
    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theTrainerTrainedThroughTheOutage() {
    Pod pod = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
    assertThat(TrainerPods.trainer(pod).orElseThrow().getRestartCount()).isZero();
    assertThat(TrainerPods.trainer(pod).orElseThrow().getState().getTerminated().getExitCode())
        .isZero();
    assertThat(TrainerPods.of(NS, manifest.name())).hasSize(1);
  }

  @Test
  void theStatusWritesAfterTheRestartLandedWithNothingLost() {
    long total = (long) EPOCHS * RunManifest.STEPS_PER_EPOCH;
    assertThat(finished.getStatus().getProgress().getStep()).isEqualTo(total);
    assertThat(Instant.parse(finished.getStatus().getProgress().getLastUpdateTime()))
        .isAfter(restarted);
    assertThat(finished.getStatus().getCheckpoint().getLatest())
        .isEqualTo("ckpt-%010d".formatted(total));
    assertThat(finished.getStatus().getMetrics().getStudentKnnAccuracy()).isNotNull();
    assertThat(finished.getStatus().getRestarts().getTotal()).isZero();
    assertThat(finished.getStatus().getAttempt()).isEqualTo(1);
  }

  @Test
  void theOperatorRecoveredAndFinishedTheRun() {
    assertThat(Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems())
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(manifest.name() + "-a1");
    assertThat(RunEvents.reasons(NS, manifest.name()))
        .as(RunEvents.describe(NS, manifest.name()))
        .contains("TrainingComplete")
        .doesNotContain("AttemptFailed");
    assertThat(watch.phases()).doesNotContain(RunPhase.Failed);
  }
}
