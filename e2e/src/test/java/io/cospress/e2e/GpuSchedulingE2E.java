package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Command;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 2: a run asking for one GPU. This machine has none, so the GPU nodes are KWOK's fake
 * ones ({@code hack/cluster.sh gpu-nodes}): they advertise {@code nvidia.com/gpu} and carry the
 * usual taint, and their pods end when annotated with an exit code. With no GPU node the run stays
 * Pending with the scheduler's reason in its status; when a GPU node joins, the real scheduler
 * binds the pod there with the GPU request and toleration the operator set; the pod's end makes the
 * run Succeeded. Nothing trains on a fake node, so there is no checkpoint volume to look at.
 */
@Order(2)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GpuSchedulingE2E implements Scenario {

  private static final String NS = "e2e-gpu";
  private static final String FAKE_EXIT_CODE = "cospress.local/fake-exit-code";

  private RunManifest manifest;
  private RunWatch watch;
  private DistillationRun pending;
  private Pod scheduled;
  private DistillationRun running;
  private DistillationRun finished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void runOnAGpuThatArrivesLater() {
    Command.clusterScript(Duration.ofMinutes(2), "gpu-nodes", "0").requireSuccess();
    Cluster.createNamespace(NS);
    manifest = RunManifest.quick(NS, "on-gpu", 2).withoutClaim().set("resources", "gpus", 1);
    watch = RunWatch.of(manifest);
    manifest.apply();

    pending =
        watch.await(
            "Pending with the scheduler's reason",
            Duration.ofMinutes(2),
            r ->
                RunWatch.phaseOf(r) == RunPhase.Pending
                    && r.getStatus().getMessage() != null
                    && r.getStatus().getMessage().contains("nvidia.com/gpu"));

    Command.clusterScript(Duration.ofMinutes(2), "gpu-nodes", "1").requireSuccess();
    running = watch.awaitPhase(RunPhase.Running, Duration.ofMinutes(3));
    scheduled = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();

    Kubectl.run("annotate", "pod", TrainerPods.name(scheduled), "-n", NS, FAKE_EXIT_CODE + "=0")
        .requireSuccess();
    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(2));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    // The cluster's default: two fake GPU nodes.
    Command.clusterScript(Duration.ofMinutes(2), "gpu-nodes", "2").requireSuccess();
  }

  @Test
  void withoutAFreeGpuTheRunWaitsWithTheSchedulersReason() {
    assertThat(pending.getStatus().getMessage()).contains("Insufficient nvidia.com/gpu");
    assertThat(pending.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Scheduled");
              assertThat(c.getStatus()).isEqualTo("False");
            });
  }

  @Test
  void whenAGpuNodeJoinsThePodLandsThereWithTheGpuRequestAndToleration() {
    assertThat(scheduled.getSpec().getNodeName()).isEqualTo("gpu-node-1");
    Container trainer = scheduled.getSpec().getContainers().get(0);
    assertThat(trainer.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(trainer.getResources().getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(trainer.getArgs()).containsSequence("--device", "gpu");
    assertThat(scheduled.getSpec().getTolerations())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(running.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Scheduled");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  @Test
  void thePodsEndFinishesTheRun() {
    assertThat(finished.getStatus().getRestarts().getTotal()).isZero();
    assertThat(watch.phases())
        .containsSubsequence(RunPhase.Pending, RunPhase.Running, RunPhase.Succeeded);
    assertThat(RunEvents.reasons(NS, manifest.name()))
        .as(RunEvents.describe(NS, manifest.name()))
        .contains("AttemptStarted", "TrainingComplete");
  }
}
