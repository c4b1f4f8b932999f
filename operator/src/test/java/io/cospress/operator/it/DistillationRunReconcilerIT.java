package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against a real API server. No Job controller, scheduler or kubelet runs here: the
 * tests play them through {@link FakeKubelet}, writing pods and statuses as those components do.
 */
class DistillationRunReconcilerIT {

  private final KubernetesClient admin = ApiServer.get().admin();
  private final FakeKubelet kubelet = new FakeKubelet(admin);
  private String namespace;
  private Runs runs;
  private CosPressOperator operator;

  @BeforeEach
  void startOperator() throws Exception {
    namespace = ApiServer.get().newNamespace("reconcile");
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
    operator = startOperatorProcess();
  }

  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  private CosPressOperator startOperatorProcess() throws Exception {
    return OperatorUnderTest.start(Set.of(namespace), OperatorUnderTest.QUICK_RETRIES);
  }

  private DistillationRun apply(String name, String extraSpec) {
    return apply(name, extraSpec, "runs-pvc");
  }

  private DistillationRun apply(String name, String extraSpec, String claim) {
    return MinimalRun.create(
        namespace, name, "checkpoint: {claimName: " + claim + "}\n" + extraSpec);
  }

  private DistillationRun run(String name) {
    return runs.get(name);
  }

  private DistillationRunStatus awaitStatus(
      String name, Predicate<DistillationRunStatus> condition) {
    return runs.awaitStatus(name, condition);
  }

  private Job awaitJob(String name) {
    return runs.awaitJob(name);
  }

  private static String condition(DistillationRunStatus status, String type) {
    return Runs.condition(status, type);
  }

  @Test
  void appliedRunBecomesAGpuJobAndItsPhaseFollowsThePod() {
    apply(
        "vit",
        """
        resources:
          gpus: 2
          cpu: "3500m"
          memory: 16Gi
          nodeSelector: {accelerator: h100}
          tolerations:
          - {key: dedicated, operator: Equal, value: ml, effect: NoSchedule}
        """);
    Job job = awaitJob("vit-a1");

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container trainer = pod.getContainers().get(0);
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("DistillationRun");
              assertThat(o.getController()).isTrue();
              assertThat(o.getUid()).isEqualTo(run("vit").getMetadata().getUid());
            });
    assertThat(trainer.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(pod.getTolerations())
        .extracting(t -> t.getKey())
        .contains("dedicated", "nvidia.com/gpu");
    assertThat(pod.getNodeSelector()).containsEntry("accelerator", "h100");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(trainer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(trainer.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(trainer.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(v -> v.getPersistentVolumeClaim().getClaimName())
        .containsExactly("runs-pvc");
    assertThat(pod.getServiceAccountName()).isEqualTo("vit-trainer");
    assertThat(admin.serviceAccounts().inNamespace(namespace).withName("vit-trainer").get())
        .isNotNull();
    assertThat(admin.rbac().roles().inNamespace(namespace).withName("vit-trainer").get())
        .isNotNull();
    assertThat(admin.rbac().roleBindings().inNamespace(namespace).withName("vit-trainer").get())
        .isNotNull();
    assertThat(admin.configMaps().inNamespace(namespace).withName("vit-manifest").get())
        .isNotNull();
    awaitStatus("vit", s -> s.getPhase() == RunPhase.Pending);

    Pod created = kubelet.createPod(job);
    kubelet.unschedulable(created, "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    DistillationRunStatus pending =
        awaitStatus("vit", s -> s.getMessage() != null && s.getMessage().contains("Insufficient"));
    assertThat(pending.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(condition(pending, "Scheduled")).isEqualTo("False");

    kubelet.running(created);
    DistillationRunStatus running = awaitStatus("vit", s -> s.getPhase() == RunPhase.Running);
    assertThat(condition(running, "Reconciling")).isEqualTo("True");
    assertThat(condition(running, "Training")).isEqualTo("True");
    assertThat(condition(running, "Ready")).isEqualTo("False");

    kubelet.exited(created, 0, "Completed");
    kubelet.completeJob(job);
    DistillationRunStatus done = awaitStatus("vit", s -> s.getPhase() == RunPhase.Succeeded);
    assertThat(condition(done, "Ready")).isEqualTo("True");
    assertThat(condition(done, "Reconciling")).isEqualTo("False");
    assertThat(condition(done, "Stalled")).isEqualTo("False");
    assertThat(done.getObservedGeneration()).isEqualTo(run("vit").getMetadata().getGeneration());
    assertThat(
            admin.v1().events().inNamespace(namespace).list().getItems().stream()
                .map(e -> e.getReason()))
        .contains("AttemptStarted");
  }

  @Test
  void runsCreatedTogetherAnnounceEachPhaseOnce() {
    // The Job's own watch event starts another reconciliation right after the one that created
    // it; read from a cache without the status just written, it would write the status and
    // announce the phase again.
    List<String> names = IntStream.range(0, 20).mapToObj(i -> "batch-" + i).toList();
    names.forEach(name -> apply(name, ""));
    for (String name : names) {
      awaitJob(name + "-a1");
      awaitStatus(name, s -> s.getPhase() == RunPhase.Pending);
    }

    await()
        .alias("no run has the same event twice")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin.v1().events().inNamespace(namespace).list().getItems().stream()
                    .collect(
                        Collectors.groupingBy(
                            e ->
                                List.of(
                                    e.getInvolvedObject().getName(), e.getReason(), e.getMessage()),
                            Collectors.counting()))
                    .values()
                    .stream()
                    .allMatch(n -> n == 1));
    assertThat(admin.v1().events().inNamespace(namespace).list().getItems())
        .filteredOn(e -> "AttemptStarted".equals(e.getReason()))
        .hasSize(names.size());
  }

  @Test
  void failuresAreRetriedWithBackoffPreemptionIsFreeAndTheBudgetEndsInFailed() {
    apply("retry", "maxRestarts: 1");

    Job first = awaitJob("retry-a1");
    kubelet.exited(kubelet.createPod(first), 1, "Error");
    kubelet.failJob(first);
    DistillationRunStatus afterError =
        awaitStatus("retry", s -> s.getRestarts() != null && s.getRestarts().getTotal() == 1);
    assertThat(afterError.getRestarts().getApplicationError()).isEqualTo(1);
    assertThat(afterError.getAttempt()).isEqualTo(2);

    Job second = awaitJob("retry-a2"); // after the backoff
    kubelet.exited(
        kubelet.createPod(second), 143, "Error", FakeKubelet.disruption("PreemptionByScheduler"));
    kubelet.failJob(second);
    DistillationRunStatus afterPreemption =
        awaitStatus("retry", s -> s.getRestarts().getTotal() == 2);
    assertThat(afterPreemption.getRestarts().getPreemption()).isEqualTo(1);
    assertThat(afterPreemption.getRestarts().getApplicationError()).isEqualTo(1);

    Job third = awaitJob("retry-a3"); // preemption used no budget
    kubelet.exited(kubelet.createPod(third), 1, "Error");
    kubelet.failJob(third);
    DistillationRunStatus failed = awaitStatus("retry", s -> s.getPhase() == RunPhase.Failed);
    assertThat(failed.getReason()).isEqualTo("RestartBudgetExhausted");
    assertThat(condition(failed, "Stalled")).isEqualTo("True");
    assertThat(condition(failed, "Ready")).isEqualTo("False");
    assertThat(admin.batch().v1().jobs().inNamespace(namespace).withName("retry-a4").get())
        .isNull();
  }

  @Test
  void missingCheckpointClaimFailsTheRunWithAReasonAndAnEvent() {
    apply("no-volume", "", "absent-pvc");
    DistillationRunStatus failed = awaitStatus("no-volume", s -> s.getPhase() == RunPhase.Failed);
    assertThat(failed.getReason()).isEqualTo("CheckpointVolumeMissing");
    assertThat(failed.getMessage()).contains("absent-pvc");
    assertThat(admin.batch().v1().jobs().inNamespace(namespace).withName("no-volume-a1").get())
        .isNull();
    await()
        .atMost(Runs.TIMEOUT)
        .until(
            () ->
                admin.v1().events().inNamespace(namespace).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "CheckpointVolumeMissing".equals(e.getReason())
                                && "Warning".equals(e.getType())));
  }

  @Test
  void refusedJobIsReportedInTheStatusNotLeftAsCreating() throws Exception {
    JobRefusal.refuseJobsIn(namespace);
    apply("refused", "");

    DistillationRunStatus status =
        awaitStatus("refused", s -> "ReconcileError".equals(s.getReason()));

    assertThat(status.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(status.getMessage())
        .startsWith("creating Job refused-a1 for attempt 1 failed: HTTP ")
        .contains(JobRefusal.MESSAGE);
    assertThat(condition(status, "Reconciling")).isEqualTo("True");
    assertThat(condition(status, "Stalled")).isEqualTo("False");
    assertThat(condition(status, "Ready")).isEqualTo("False");
    assertThat(status.getObservedGeneration()).isEqualTo(1L);
    assertThat(runs.job("refused-a1")).isNull();
  }

  @Test
  void deletedRunWithTheDeletePolicyRemovesItsCheckpointsBeforeItGoes() {
    apply("gone", "", "runs-pvc, retentionPolicy: Delete");
    awaitJob("gone-a1");
    await().atMost(Runs.TIMEOUT).until(() -> !run("gone").getMetadata().getFinalizers().isEmpty());

    admin.resources(DistillationRun.class).inNamespace(namespace).withName("gone").delete();
    Job cleanup = awaitJob("gone-cleanup");
    Container rm = cleanup.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(rm.getCommand())
        .containsExactly("rm", "-rf", "--", "/var/lib/cospress/output/checkpoints");
    assertThat(rm.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(cleanup.getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getPersistentVolumeClaim().getClaimName())
        .containsExactly("runs-pvc");
    assertThat(run("gone")).as("held by the finalizer until the cleanup is done").isNotNull();

    kubelet.completeJob(cleanup);
    await().atMost(Runs.TIMEOUT).until(() -> run("gone") == null);
  }

  @Test
  void deletedRunKeepsItsCheckpointsByDefault() {
    apply("kept", "");
    awaitJob("kept-a1");
    admin.resources(DistillationRun.class).inNamespace(namespace).withName("kept").delete();
    await().atMost(Runs.TIMEOUT).until(() -> run("kept") == null);
    assertThat(admin.batch().v1().jobs().inNamespace(namespace).withName("kept-cleanup").get())
        .isNull();
  }

  @Test
  void invalidInputFailsAtOnceWithoutRetrying() {
    apply("bad-input", "maxRestarts: 5");
    Job job = awaitJob("bad-input-a1");
    kubelet.exited(kubelet.createPod(job), 2, "Error");
    kubelet.failJob(job);
    DistillationRunStatus failed = awaitStatus("bad-input", s -> s.getPhase() == RunPhase.Failed);
    assertThat(failed.getReason()).isEqualTo("InvalidInput");
    assertThat(failed.getRestarts().getTotal()).isZero();
  }

  @Test
  void suspendStopsTheAttemptAndResumeStartsItAgain() {
    apply("pause", "");
    Job job = awaitJob("pause-a1");
    Pod pod = kubelet.running(kubelet.createPod(job));
    awaitStatus("pause", s -> s.getPhase() == RunPhase.Running);

    runs.patchSpec("pause", "{\"suspend\": true}");
    await()
        .atMost(Runs.TIMEOUT)
        .until(
            () ->
                admin.batch().v1().jobs().inNamespace(namespace).withName("pause-a1").get()
                    == null);
    admin.resource(pod).delete(); // the kubelet finishes the pod after the trainer checkpointed
    DistillationRunStatus suspended = awaitStatus("pause", s -> s.getPhase() == RunPhase.Suspended);
    assertThat(suspended.getRestarts().getTotal()).isZero();

    runs.patchSpec("pause", "{\"suspend\": false}");
    Job resumed = awaitJob("pause-a1");
    assertThat(resumed.getMetadata().getUid()).isNotEqualTo(job.getMetadata().getUid());
    DistillationRunStatus pending = awaitStatus("pause", s -> s.getPhase() == RunPhase.Pending);
    assertThat(pending.getRestarts().getTotal()).isZero();
    assertThat(pending.getAttempt()).isEqualTo(1);
  }

  @Test
  void restartedOperatorCreatesNoDuplicateJobAndKeepsTheStatus() throws Exception {
    apply("steady", "");
    awaitJob("steady-a1");
    DistillationRunStatus before = awaitStatus("steady", s -> s.getPhase() == RunPhase.Pending);

    operator.close();
    operator = startOperatorProcess();
    admin
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .withName("steady")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"touch\":\"1\"}}}"); // provoke a reconcile
    Thread.sleep(3000);

    List<Job> jobs =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withLabel("cospress.io/run", "steady")
            .list()
            .getItems();
    assertThat(jobs).extracting(j -> j.getMetadata().getName()).containsExactly("steady-a1");
    DistillationRunStatus after = run("steady").getStatus();
    assertThat(after.getPhase()).isEqualTo(before.getPhase());
    assertThat(after.getAttempt()).isEqualTo(1);
    assertThat(after.getConditions()).hasSameSizeAs(before.getConditions());
  }
}
