package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A trainer pod outlives its Job: a Job deleted to suspend a run, or to stop the trainer of a run
 * being deleted, leaves its pod checkpointing for up to its grace period. No garbage collector runs
 * here, so a pod stays exactly as long as the test (playing the kubelet) keeps it.
 */
class TrainerOutlivesItsJobIT {

  /** Longer than any wait in these tests that is not the grace period under test. */
  private static final Duration STILL = Duration.ofSeconds(3);

  private final KubernetesClient admin = ApiServer.get().admin();
  private final FakeKubelet kubelet = new FakeKubelet(admin);
  private String namespace;
  private Runs runs;
  private CosPressOperator operator;

  @BeforeEach
  void startOperator() throws Exception {
    namespace = ApiServer.get().newNamespace("outlives");
    runs = new Runs(namespace);
    admin
        .persistentVolumeClaims()
        .inNamespace(namespace)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("runs-pvc")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
    operator = OperatorUnderTest.start(Set.of(namespace), OperatorUnderTest.QUICK_RETRIES);
  }

  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aSuspendedRunIsSuspendingUntilItsTrainerPodHasExited() {
    Pod pod = trainingRun("pause", "");

    runs.patchSpec("pause", "{\"suspend\": true}");
    await().atMost(Runs.TIMEOUT).until(() -> runs.job("pause-a1") == null);
    DistillationRunStatus suspending =
        runs.awaitStatus("pause", s -> s.getPhase() == RunPhase.Suspended);
    assertThat(suspending.getReason()).isEqualTo("Suspending");
    assertThat(suspending.getMessage()).contains(pod.getMetadata().getName());
    assertThat(Runs.condition(suspending, "Reconciling")).isEqualTo("True");
    await()
        .during(STILL)
        .atMost(STILL.multipliedBy(3))
        .until(() -> "Suspending".equals(runs.get("pause").getStatus().getReason()));

    kubelet.exited(pod, 143, "Error"); // the trainer wrote its SIGTERM checkpoint
    DistillationRunStatus suspended =
        runs.awaitStatus("pause", s -> "Suspended".equals(s.getReason()));
    assertThat(suspended.getPhase()).isEqualTo(RunPhase.Suspended);
    assertThat(Runs.condition(suspended, "Reconciling")).isEqualTo("False");
    assertThat(suspended.getRestarts().getTotal()).isZero();
  }

  @Test
  void aRunResumedWhileItsTrainerStillStopsStartsAgainOnlyOnceThatPodHasExited() {
    Pod old = trainingRun("quick", "");
    runs.patchSpec("quick", "{\"suspend\": true}");
    runs.awaitStatus("quick", s -> "Suspending".equals(s.getReason()));

    runs.patchSpec("quick", "{\"suspend\": false}");
    DistillationRunStatus waiting =
        runs.awaitStatus("quick", s -> s.getPhase() == RunPhase.Pending);
    assertThat(waiting.getReason()).isEqualTo("TrainerStopping");
    assertThat(waiting.getMessage()).contains(old.getMetadata().getName());
    await().during(STILL).atMost(STILL.multipliedBy(3)).until(() -> runs.job("quick-a1") == null);

    kubelet.exited(old, 143, "Error");
    Job resumed = runs.awaitJob("quick-a1");
    // The old pod carries the same job-name label but belongs to the deleted Job.
    DistillationRunStatus pending =
        runs.awaitStatus("quick", s -> "WaitingForPod".equals(s.getReason()));
    assertThat(pending.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(pending.getAttempt()).isEqualTo(1);
    assertThat(pending.getRestarts().getTotal()).isZero();
    assertThat(resumed.getMetadata().getUid())
        .isNotEqualTo(old.getMetadata().getOwnerReferences().get(0).getUid());
  }

  @Test
  void aRunDeletedWhileTrainingStopsItsTrainerBeforeItRemovesTheCheckpoints() {
    Pod pod = trainingRun("gone", ", retentionPolicy: Delete");

    deleteRun("gone");
    await().atMost(Runs.TIMEOUT).until(() -> runs.job("gone-a1") == null);
    await().atMost(Runs.TIMEOUT).until(() -> eventReasons("gone").contains("StoppingTrainer"));
    await()
        .alias("no cleanup while the trainer may still write a checkpoint")
        .during(STILL)
        .atMost(STILL.multipliedBy(3))
        .until(() -> runs.job("gone-cleanup") == null && runs.get("gone") != null);

    admin.resource(pod).delete(); // the trainer checkpointed and exited
    Job cleanup = runs.awaitJob("gone-cleanup");
    assertThat(runs.get("gone")).as("held until the cleanup is done").isNotNull();
    kubelet.completeJob(cleanup);
    await().atMost(Runs.TIMEOUT).until(() -> runs.get("gone") == null);
    assertThat(eventReasons("gone"))
        .contains("StoppingTrainer", "DeletingCheckpoints")
        .doesNotContain("TrainerStopTimedOut");
  }

  @Test
  void aTrainerPodThatOutlivesItsGracePeriodDoesNotHoldTheDeletionHostage() {
    MinimalRun.create(
        namespace, "stuck", "checkpoint: {claimName: runs-pvc, retentionPolicy: Delete}\n");
    Job job = runs.awaitJob("stuck-a1");
    // A 1 s grace period: the deletion waits that plus the operator's margin, then goes on.
    Pod pod = kubelet.running(kubelet.createPod(job, 1L));
    awaitFinalizer("stuck");

    deleteRun("stuck");
    Job cleanup =
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> runs.job("stuck-cleanup"), j -> j != null);

    assertThat(admin.resource(pod).get()).as("the trainer pod never went").isNotNull();
    await().atMost(Runs.TIMEOUT).until(() -> eventReasons("stuck").contains("TrainerStopTimedOut"));
    assertThat(
            events("stuck").stream()
                .filter(e -> "TrainerStopTimedOut".equals(e.getReason()))
                .map(Event::getType))
        .containsOnly("Warning");
    kubelet.completeJob(cleanup);
    await().atMost(Runs.TIMEOUT).until(() -> runs.get("stuck") == null);
  }

  @Test
  void aRunThatRetainsItsCheckpointsGoesAtOnceAndLeavesItsTrainerToTheGarbageCollector() {
    trainingRun("kept", "");

    deleteRun("kept");
    await().atMost(Duration.ofSeconds(10)).until(() -> runs.get("kept") == null);

    assertThat(runs.job("kept-a1")).as("not deleted by the operator").isNotNull();
    assertThat(eventReasons("kept")).doesNotContain("StoppingTrainer", "DeletingCheckpoints");
  }

  /** A run on the claim whose trainer pod is running; returns the pod. */
  private Pod trainingRun(String name, String checkpointExtra) {
    MinimalRun.create(
        namespace, name, "checkpoint: {claimName: runs-pvc" + checkpointExtra + "}\n");
    Job job = runs.awaitJob(name + "-a1");
    Pod pod = kubelet.running(kubelet.createPod(job));
    runs.awaitStatus(name, s -> s.getPhase() == RunPhase.Running);
    awaitFinalizer(name);
    return pod;
  }

  private void awaitFinalizer(String name) {
    await()
        .atMost(Runs.TIMEOUT)
        .until(() -> !runs.get(name).getMetadata().getFinalizers().isEmpty());
  }

  private void deleteRun(String name) {
    admin.resources(DistillationRun.class).inNamespace(namespace).withName(name).delete();
  }

  private List<Event> events(String run) {
    return admin.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> run.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private List<String> eventReasons(String run) {
    return events(run).stream().map(Event::getReason).toList();
  }
}
