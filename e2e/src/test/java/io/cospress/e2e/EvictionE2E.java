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
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 4: the trainer pod is evicted through the Eviction API, as {@code kubectl drain} does
 * (only the trainer pod: the chart's PodDisruptionBudget keeps an operator replica, so a full drain
 * of the only node would block). The kubelet sends SIGTERM, the trainer writes a checkpoint at its
 * current step and exits; the operator counts a preemption, which uses none of the restart budget
 * ({@code maxRestarts: 0} here, so any budgeted restart would fail the run), and the next attempt
 * resumes from that checkpoint.
 */
@Order(4)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvictionE2E implements Scenario {

  private static final String NS = "e2e-evict";
  private static final int EPOCHS = 4;
  private static final Pattern STOPPED = Pattern.compile("stopped at epoch (\\d+), step (\\d+)");

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private DistillationRun finished;
  private long evictedAtStep;
  private TrainerPods.Gone evicted;
  private java.util.List<String> checkpointsBeforeTheRetry;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void evictTheTrainerMidEpochAndLetTheRunFinish() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest =
        RunManifest.quick(NS, "evicted", EPOCHS)
            .set("evaluation", "intervalEpochs", EPOCHS)
            .set("maxRestarts", 0);
    watch = RunWatch.of(manifest);
    manifest.apply();

    evictedAtStep =
        TrainerPods.awaitLiveStep(NS, manifest.name(), 1, RunManifest.STEPS_PER_EPOCH + 2);
    Pod pod = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
    boolean accepted =
        Cluster.client().pods().inNamespace(NS).withName(pod.getMetadata().getName()).evict();
    assertThat(accepted).as("the Eviction API accepted the eviction").isTrue();
    // An evicted pod is deleted once it stops; its last state and log go with it.
    this.evicted =
        TrainerPods.followUntilGone(NS, pod.getMetadata().getName(), Duration.ofMinutes(4));
    checkpointsBeforeTheRetry =
        workspace.checkpoints(manifest.checkpointPath()).list().stream()
            .map(io.cospress.e2e.harness.Checkpoints.Saved::name)
            .toList();

    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(6));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void theEvictionIsAPreemptionThatUsesNoBudget() {
    assertThat(finished.getStatus().getRestarts().getPreemption()).isEqualTo(1);
    assertThat(finished.getStatus().getRestarts().getApplicationError()).isZero();
    assertThat(finished.getStatus().getRestarts().getTotal()).isEqualTo(1);
    assertThat(finished.getSpec().getMaxRestarts()).isZero();
    assertThat(finished.getStatus().getAttempt()).isEqualTo(2);
    assertThat(watch.phases()).doesNotContain(RunPhase.Failed);
    assertThat(RunEvents.describe(NS, manifest.name())).contains("EvictionByEvictionAPI");
  }

  @Test
  void theEvictedPodGotSigtermAndWasMarkedAsDisrupted() {
    Pod lastSeen = evicted.lastSeen();
    PodCondition disruption =
        lastSeen.getStatus().getConditions().stream()
            .filter(c -> "DisruptionTarget".equals(c.getType()))
            .findFirst()
            .orElseThrow();
    assertThat(disruption.getReason()).isEqualTo("EvictionByEvictionAPI");
    assertThat(lastSeen.getMetadata().getDeletionTimestamp()).isNotNull();
    // When the API still showed the pod after its container ended: the JVM's exit on SIGTERM.
    TrainerPods.trainer(lastSeen)
        .map(c -> c.getState().getTerminated())
        .ifPresent(end -> assertThat(end.getExitCode()).isEqualTo(143));
    assertThat(evicted.log()).contains("stopped at epoch");
  }

  @Test
  void theTrainerCheckpointedOnSigtermAndTheNextAttemptResumedThere() {
    String firstLog = evicted.log();
    Matcher stopped = STOPPED.matcher(firstLog);
    assertThat(stopped.find()).as("the first attempt's log:\n%s", firstLog).isTrue();
    long stoppedAt = Long.parseLong(stopped.group(2));
    assertThat(stoppedAt)
        .as("the SIGTERM checkpoint is mid-epoch, at or after the step seen before the eviction")
        .isGreaterThanOrEqualTo(evictedAtStep)
        .isNotEqualTo(2L * RunManifest.STEPS_PER_EPOCH);
    assertThat(checkpointsBeforeTheRetry)
        .as("on the volume before the next attempt started")
        .contains("ckpt-%010d".formatted(stoppedAt));
    String secondLog =
        TrainerPods.logs(TrainerPods.ofAttempt(NS, manifest.name(), 2).orElseThrow());
    assertThat(secondLog)
        .contains(
            "ckpt-%010d at epoch 1, batch %d, step %d"
                .formatted(stoppedAt, stoppedAt - RunManifest.STEPS_PER_EPOCH, stoppedAt));
    assertThat(finished.getStatus().getProgress().getStep())
        .isEqualTo((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
  }
}
