package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Checkpoints;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 5: {@code spec.suspend: true} on the real Job controller: the operator deletes the
 * attempt's Job, the controller removes the pod, the trainer checkpoints on SIGTERM, and the run is
 * Suspended with no pod left; {@code suspend: false} starts the same attempt again, which resumes
 * at the step it stopped at.
 */
@Order(5)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SuspendResumeE2E implements Scenario {

  private static final String NS = "e2e-suspend";
  private static final int EPOCHS = 4;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private DistillationRun suspended;
  private List<Pod> podsWhenReportedSuspended;
  private List<Pod> podsWhileSuspended;
  private List<Job> jobsWhileSuspended;
  private Checkpoints.Saved checkpointWhileSuspended;
  private DistillationRun finished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void suspendMidEpochThenResume() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest = RunManifest.quick(NS, "paused", EPOCHS).set("evaluation", "intervalEpochs", EPOCHS);
    watch = RunWatch.of(manifest);
    manifest.apply();

    TrainerPods.awaitLiveStep(NS, manifest.name(), 1, RunManifest.STEPS_PER_EPOCH + 2);
    Kubectl.run(
            "patch",
            "dr",
            manifest.name(),
            "-n",
            NS,
            "--type=merge",
            "-p",
            "{\"spec\":{\"suspend\":true}}")
        .requireSuccess();
    suspended =
        watch.await(
            "phase Suspended with the trainer gone",
            Duration.ofMinutes(4),
            r ->
                RunWatch.phaseOf(r) == RunPhase.Suspended
                    && "Suspended".equals(r.getStatus().getReason()));
    podsWhenReportedSuspended = TrainerPods.of(NS, manifest.name());
    // The trainer is gone once it has written its SIGTERM checkpoint and exited.
    for (Pod pod : podsWhenReportedSuspended) {
      TrainerPods.followUntilGone(NS, pod.getMetadata().getName(), Duration.ofMinutes(4));
    }
    podsWhileSuspended = TrainerPods.of(NS, manifest.name());
    suspended = watch.current();
    jobsWhileSuspended = Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems();
    checkpointWhileSuspended =
        workspace.checkpoints(manifest.checkpointPath()).latest().orElseThrow();

    Kubectl.run(
            "patch",
            "dr",
            manifest.name(),
            "-n",
            NS,
            "--type=merge",
            "-p",
            "{\"spec\":{\"suspend\":false}}")
        .requireSuccess();
    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void suspendedMeansCheckpointedAndNoPodOrJobLeft() {
    assertThat(podsWhileSuspended).isEmpty();
    assertThat(jobsWhileSuspended).isEmpty();
    long step = checkpointWhileSuspended.step();
    // Suspended after step 12: how far the trainer got before SIGTERM depends on the machine's
    // load, but the checkpoint is one it wrote after the first epoch's and before the end.
    assertThat(step)
        .as("the SIGTERM checkpoint is after the first epoch and before the last")
        .isGreaterThan(RunManifest.STEPS_PER_EPOCH)
        .isLessThan((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
    assertThat(suspended.getStatus().getCheckpoint().getLatest())
        .isEqualTo(checkpointWhileSuspended.name());
    assertThat(watch.phases())
        .containsSubsequence(
            RunPhase.Running, RunPhase.Suspended, RunPhase.Running, RunPhase.Succeeded);
    assertThat(suspended.getStatus().getReason()).isEqualTo("Suspended");
    // The phase change is announced once, with the reason of that moment: Suspending when the
    // trainer was still checkpointing, Suspended when its pod was already gone. Which one depends
    // on timing, so only the announcement of the suspension itself is asserted.
    assertThat(RunEvents.reasons(NS, manifest.name()))
        .as(RunEvents.describe(NS, manifest.name()))
        .containsAnyOf("Suspending", "Suspended");
  }

  /**
   * docs/status-model.md: reason {@code Suspending} while the trainer pod is still checkpointing
   * and exiting, {@code Suspended} afterwards. The operator finds the pod by its Job's name even
   * once the Job is deleted, so when it reports Suspended no trainer pod is left.
   */
  @Test
  void theStatusSaysSuspendingUntilTheTrainerHasExited() {
    assertThat(podsWhenReportedSuspended).isEmpty();
  }

  @Test
  void resumingContinuesTheSameAttemptAtTheSameStep() {
    assertThat(finished.getStatus().getAttempt()).isEqualTo(1);
    assertThat(finished.getStatus().getRestarts().getTotal()).isZero();
    Pod resumed = TrainerPods.ofAttempt(NS, manifest.name(), 1).orElseThrow();
    // "resuming from .../ckpt-N at epoch E, batch B, step N": how E and B are written at an
    // epoch's end differs between a SIGTERM and an end-of-epoch checkpoint, so only N is checked.
    assertThat(TrainerPods.logs(resumed))
        .containsPattern(
            "resuming from \\S*/"
                + checkpointWhileSuspended.name()
                + " at epoch \\d+, batch \\d+, step "
                + checkpointWhileSuspended.step()
                + "\\b");
    assertThat(finished.getStatus().getProgress().getStep())
        .isEqualTo((long) EPOCHS * RunManifest.STEPS_PER_EPOCH);
    assertThat(Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems())
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(manifest.name() + "-a1");
  }
}
