package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 10: the teacher named by the manifest is on the volume but is not TorchScript. The
 * trainer in the pod rejects it before writing anything (exit code 2); the run fails at once with
 * the trainer's one-line message in its status and is never retried.
 */
@Order(10)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidInputE2E implements Scenario {

  private static final String NS = "e2e-invalid";

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private Instant applied;
  private DistillationRun failed;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void applyARunWhoseTeacherIsNotTorchScript() throws Exception {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    Files.writeString(
        workspace.dir().resolve(Workspace.MODELS).resolve("not-torchscript.pt"),
        "this is a text file, not a TorchScript archive\n");
    manifest =
        RunManifest.quick(NS, "bad-teacher", 2)
            .set("teacher", "model", Workspace.MODELS + "/not-torchscript.pt");
    watch = RunWatch.of(manifest);
    applied = Instant.now();
    manifest.apply();
    failed = watch.awaitPhase(RunPhase.Failed, Duration.ofMinutes(3));
    // Long enough for a retry's backoff (10 s) to have passed, had there been one.
    Thread.sleep(15_000);
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theRunFailedAtOnceWithTheTrainersMessage() {
    assertThat(failed.getStatus().getReason()).isEqualTo("InvalidInput");
    assertThat(failed.getStatus().getMessage())
        .contains("spec.teacher.model")
        .doesNotContain("Exception", "\tat ");
    assertThat(failed.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Stalled");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    System.out.printf(
        "invalid input: Failed %d s after kubectl apply: %s%n",
        Duration.between(applied, Instant.now()).toSeconds(), failed.getStatus().getMessage());
  }

  @Test
  void itWasNeverRetried() {
    DistillationRun now = watch.current();
    assertThat(now.getStatus().getPhase()).isEqualTo(RunPhase.Failed);
    assertThat(now.getStatus().getRestarts().getTotal()).isZero();
    assertThat(Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems()).hasSize(1);
    Pod pod = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
    assertThat(TrainerPods.trainer(pod).orElseThrow().getState().getTerminated().getExitCode())
        .isEqualTo(2);
    assertThat(RunEvents.of(NS, manifest.name()))
        .filteredOn(e -> "Warning".equals(e.getType()))
        .extracting(Event::getReason)
        .contains("InvalidInput");
  }

  @Test
  void nothingWasWrittenToTheVolume() {
    // Everything a run writes (checkpoints, status.json, final/) goes under its checkpoint path.
    assertThat(workspace.checkpoints(manifest.checkpointPath()).exists()).isFalse();
    assertThat(workspace.dir().resolve("status.json")).doesNotExist();
    assertThat(workspace.dir().resolve("final")).doesNotExist();
  }
}
