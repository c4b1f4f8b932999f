package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Checkpoints;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.PodHttp;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 1, the happy path: a quickstart-sized run applied with kubectl trains in a pod of the
 * real trainer image on the real kubelet, reports into its status, is scraped on /metrics, and
 * leaves its checkpoints and final student on the volume.
 */
@Order(1)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HappyPathE2E implements Scenario {

  private static final String NS = "e2e-happy";
  private static final int EPOCHS = 3;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private DistillationRun finished;
  private Pod trainerPod;
  private String scrapedWhileTraining;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void applyAQuickstartRunAndLetItFinish() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest = RunManifest.quick(NS, "happy", EPOCHS);
    watch = RunWatch.of(manifest);
    manifest.apply();

    watch.await("a training step", Duration.ofMinutes(3), r -> step(r) > 0);
    String pod =
        TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow().getMetadata().getName();
    scrapedWhileTraining =
        PodHttp.awaitBody(
            NS,
            pod,
            9400,
            "/metrics",
            body -> body.contains("cospress_train_step{"),
            Duration.ofSeconds(60));

    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
    trainerPod = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theTrainerRanTheRealImageHardenedOnTheRealNode() {
    assertThat(trainerPod.getSpec().getNodeName()).isEqualTo(Cluster.REAL_NODE);
    Container trainer = trainerPod.getSpec().getContainers().get(0);
    assertThat(trainer.getImage()).isEqualTo("cospress.local/cospress-trainer:dev");
    assertThat(trainer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(trainerPod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(trainerPod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(
            TrainerPods.trainer(trainerPod).orElseThrow().getState().getTerminated().getExitCode())
        .isZero();
    assertThat(TrainerPods.of(NS, manifest.name())).as("one attempt, no retry").hasSize(1);
  }

  @Test
  void statusHoldsProgressMetricsAndTheLatestCheckpoint() {
    DistillationRunStatus status = finished.getStatus();
    long totalSteps = (long) EPOCHS * RunManifest.STEPS_PER_EPOCH;
    assertThat(status.getPhase()).isEqualTo(RunPhase.Succeeded);
    assertThat(status.getAttempt()).isEqualTo(1);
    assertThat(status.getRestarts().getTotal()).isZero();
    assertThat(status.getObservedGeneration()).isEqualTo(finished.getMetadata().getGeneration());
    assertThat(status.getProgress().getStep()).isEqualTo(totalSteps);
    assertThat(status.getProgress().getTotalSteps()).isEqualTo(totalSteps);
    assertThat(status.getProgress().getEpochs()).isEqualTo(EPOCHS + "/" + EPOCHS);
    assertThat(status.getMetrics().getLoss()).isFinite().isPositive();
    // Eight classes: chance is 12.5 %; three short epochs already beat it clearly.
    assertThat(status.getMetrics().getStudentKnnAccuracy()).isGreaterThan(0.25);
    assertThat(status.getMetrics().getTeacherKnnAccuracy()).isGreaterThan(0.5);
    assertThat(status.getCheckpoint().getLatest()).isEqualTo("ckpt-%010d".formatted(totalSteps));
    assertThat(status.getCheckpoint().getStep()).isEqualTo(totalSteps);
    assertThat(condition(status, "Ready")).isEqualTo("True");
    assertThat(condition(status, "Reconciling")).isEqualTo("False");
    assertThat(condition(status, "Stalled")).isEqualTo("False");
    assertThat(watch.phases()).containsSubsequence(RunPhase.Running, RunPhase.Succeeded);
    assertThat(watch.phases()).doesNotContain(RunPhase.Failed);
  }

  @Test
  void eventsTellTheRunsHistory() {
    List<String> reasons = RunEvents.reasons(NS, manifest.name());
    assertThat(reasons)
        .as(RunEvents.describe(NS, manifest.name()))
        .contains("AttemptStarted", "CheckpointSaved", "TrainingComplete")
        .doesNotContain("AttemptFailed");
  }

  @Test
  void theVolumeHoldsTheCheckpointsStatusFileAndFinalStudent() throws Exception {
    Checkpoints checkpoints = workspace.checkpoints(manifest.checkpointPath());
    List<Checkpoints.Saved> saved = checkpoints.list();
    assertThat(saved).as("keep: 2 (plus the best one)").hasSizeBetween(2, 3);
    Checkpoints.Saved latest = checkpoints.latest().orElseThrow();
    assertThat(latest.step()).isEqualTo((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
    assertThat(latest.epoch()).isEqualTo(EPOCHS);
    assertThat(checkpoints.entries()).noneMatch(e -> e.startsWith(".tmp-"));
    // The run's own directory (its checkpoint path) holds its status file and final student.
    assertThat(Files.size(checkpoints.dir().resolve("final/student.pt"))).isPositive();
    assertThat(Files.readString(checkpoints.dir().resolve("status.json")))
        .contains("\"Succeeded\"");
    // Written by uid 10001 through the pod's fsGroup on a volume root owned by root.
    assertThat(Files.getAttribute(latest.dir(), "unix:uid")).isEqualTo(10001);
  }

  @Test
  void theTrainersMetricsWereScrapedFromThePod() {
    String labels = "namespace=\"" + NS + "\",run=\"" + manifest.name() + "\"";
    assertThat(scrapedWhileTraining)
        .contains("cospress_train_step{" + labels)
        .contains("cospress_train_loss{")
        .contains("cospress_train_images_per_second{" + labels);
  }

  @Test
  void kubectlGetDrShowsTheColumns() {
    String table = Kubectl.run("get", "dr", "-n", NS).requireSuccess().stdout();
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0).split("\\s{2,}"))
        .containsExactly("NAME", "PHASE", "PROGRESS", "LOSS", "STUDENT KNN", "RESTARTS", "AGE");
    assertThat(lines.get(1)).startsWith("happy").contains("Succeeded", EPOCHS + "/" + EPOCHS);
  }

  private static long step(DistillationRun run) {
    return run.getStatus() == null
            || run.getStatus().getProgress() == null
            || run.getStatus().getProgress().getStep() == null
        ? 0
        : run.getStatus().getProgress().getStep();
  }

  private static String condition(DistillationRunStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(Condition::getStatus)
        .findFirst()
        .orElse(null);
  }
}
