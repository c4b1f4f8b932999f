package io.cospress.operator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainerJobFactoryTest {

  private static final TrainerDefaults DEFAULTS = TrainerDefaults.standard();

  @Test
  void gpuRunRequestsItsGpusAndToleratesTheGpuTaint() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setGpus(2);

    Job job = TrainerJobFactory.build(run, 1, DEFAULTS);

    Container trainer = trainer(job);
    assertThat(trainer.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(trainer.getResources().getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(pod(job).getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(trainer.getArgs()).containsSequence("--device", "gpu");
    assertThat(trainer.getImage()).isEqualTo(TrainerDefaults.DEFAULT_GPU_IMAGE);
  }

  @Test
  void cpuRunHasNoGpuResourceToleranceOrDeviceFlag() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setGpus(0);

    Job job = TrainerJobFactory.build(run, 1, DEFAULTS);

    Container trainer = trainer(job);
    assertThat(trainer.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    assertThat(trainer.getResources().getRequests()).doesNotContainKey("nvidia.com/gpu");
    assertThat(pod(job).getTolerations()).isEmpty();
    assertThat(trainer.getArgs()).doesNotContain("--device", "gpu");
    assertThat(trainer.getImage()).isEqualTo(TrainerDefaults.DEFAULT_CPU_IMAGE);
  }

  @Test
  void userGpuTolerationIsKeptAndNotDuplicated() {
    DistillationRun run = TestRuns.run("vit-distil");
    Toleration own =
        new TolerationBuilder()
            .withKey("nvidia.com/gpu")
            .withOperator("Equal")
            .withValue("present")
            .withEffect("NoSchedule")
            .build();
    Toleration spot =
        new TolerationBuilder()
            .withKey("spot")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    run.getSpec().getResources().setTolerations(List.of(own, spot));
    run.getSpec().getResources().setGpus(1);

    List<Toleration> tolerations = pod(TrainerJobFactory.build(run, 1, DEFAULTS)).getTolerations();

    assertThat(tolerations).containsExactly(own, spot);
    assertThat(tolerations.get(0)).isNotSameAs(own);
  }

  @Test
  void runWithoutCpuOrMemoryGetsTheOperatorsDefaultSize() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setCpu(null);
    run.getSpec().getResources().setMemory(null);
    TrainerDefaults sized =
        new TrainerDefaults(
            "cpu:1",
            "gpu:1",
            "Always",
            "6",
            "24Gi",
            Map.of(),
            TrainerDefaults.DEFAULT_GPU_TOLERATIONS);

    Container trainer = trainer(TrainerJobFactory.build(run, 1, sized));

    assertThat(trainer.getResources().getLimits())
        .containsEntry("cpu", new Quantity("6"))
        .containsEntry("memory", new Quantity("24Gi"));
    assertThat(env(trainer, "JAVA_TOOL_OPTIONS")).contains("num_threads=6");
    assertThat(run.getSpec().getResources().getCpu()).as("the cached run is untouched").isNull();
  }

  @Test
  void gpuPodGetsTheOperatorsGpuPlacementBeneathTheRunsOwn() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setGpus(1);
    run.getSpec().getResources().setNodeSelector(Map.of("gpu.example.com/model", "h100"));
    Toleration spot =
        new TolerationBuilder()
            .withKey("spot")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    Toleration dedicated =
        new TolerationBuilder()
            .withKey("dedicated")
            .withOperator("Equal")
            .withValue("ml")
            .withEffect("NoSchedule")
            .build();
    TrainerDefaults placed =
        new TrainerDefaults(
            "cpu:1",
            "gpu:1",
            "Always",
            "2",
            "8Gi",
            Map.of("gpu.example.com/model", "a100", "pool", "gpu"),
            List.of(spot, dedicated));

    PodSpec pod = pod(TrainerJobFactory.build(run, 1, placed));

    assertThat(pod.getNodeSelector())
        .containsEntry("gpu.example.com/model", "h100")
        .containsEntry("pool", "gpu");
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("spot", "dedicated");
  }

  @Test
  void cpuPodIgnoresTheOperatorsGpuPlacement() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setGpus(0);
    TrainerDefaults placed =
        new TrainerDefaults(
            "cpu:1",
            "gpu:1",
            "Always",
            "2",
            "8Gi",
            Map.of("pool", "gpu"),
            TrainerDefaults.DEFAULT_GPU_TOLERATIONS);

    PodSpec pod = pod(TrainerJobFactory.build(run, 1, placed));

    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTolerations()).isNullOrEmpty();
  }

  @Test
  void queuedRunIsLabelledForKueueAndCreatedSuspended() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().setQueueName("gpu-team-a");

    Job job = TrainerJobFactory.build(run, 1, DEFAULTS);

    assertThat(job.getMetadata().getLabels())
        .containsEntry(CosPressConstants.KUEUE_QUEUE_LABEL, "gpu-team-a");
    assertThat(job.getSpec().getSuspend()).isTrue();
  }

  @Test
  void unqueuedRunHasNoKueueLabelAndIsNotSuspended() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().setQueueName(null);

    Job job = TrainerJobFactory.build(run, 1, DEFAULTS);

    assertThat(job.getMetadata().getLabels())
        .doesNotContainKey(CosPressConstants.KUEUE_QUEUE_LABEL);
    assertThat(job.getSpec().getSuspend()).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void jobAndPodAreLabelledWithRunAttemptAndManager() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 3, DEFAULTS);

    Map<String, String> expected =
        Map.of(
            CosPressConstants.LABEL_RUN, "vit-distil",
            CosPressConstants.LABEL_ATTEMPT, "3",
            CosPressConstants.LABEL_MANAGED_BY, CosPressConstants.MANAGED_BY_VALUE);
    assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void jobRunsOnePodOnceAndLeavesRetriesToTheOperator() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS);

    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getCompletions()).isEqualTo(1);
    assertThat(job.getSpec().getParallelism()).isEqualTo(1);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isNull();
    assertThat(pod(job).getRestartPolicy()).isEqualTo("Never");
  }

  @Test
  void podAndContainerAreHardened() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS);

    var podSecurity = pod(job).getSecurityContext();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(10001L);
    assertThat(podSecurity.getRunAsGroup()).isEqualTo(10001L);
    assertThat(podSecurity.getFsGroup()).isEqualTo(10001L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var containerSecurity = trainer(job).getSecurityContext();
    assertThat(containerSecurity.getAllowPrivilegeEscalation()).isFalse();
    assertThat(containerSecurity.getReadOnlyRootFilesystem()).isTrue();
    assertThat(containerSecurity.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(containerSecurity.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(containerSecurity.getPrivileged()).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void podRunsAsTheRunsServiceAccountWithAToken() {
    PodSpec pod = pod(TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS));

    assertThat(pod.getServiceAccountName()).isEqualTo("vit-distil-trainer");
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
  }

  @Test
  void gracePeriodOutlastsTheTrainersCheckpointOnSigterm() {
    PodSpec pod = pod(TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS));

    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(180L).isGreaterThan(120L);
  }

  @ParameterizedTest(name = "cpu {0} -> {1} threads")
  @CsvSource({"3500m, 3", "4, 4", "500m, 1", "1, 1", "16000m, 16"})
  void libtorchThreadsAreTheWholeCpusOfTheLimit(String cpu, int threads) {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setCpu(cpu);

    String options = env(trainer(TrainerJobFactory.build(run, 1, DEFAULTS)), "JAVA_TOOL_OPTIONS");

    assertThat(options.split(" "))
        .contains("-Dai.djl.pytorch.num_threads=" + threads)
        .filteredOn(o -> o.startsWith("-Dai.djl.pytorch.num_threads="))
        .hasSize(1);
  }

  @Test
  void jvmLeavesHalfTheMemoryToLibtorchAndWritesTempFilesToTmp() {
    Container trainer = trainer(TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS));

    assertThat(env(trainer, "JAVA_TOOL_OPTIONS").split(" "))
        .contains(
            "-XX:MaxRAMPercentage=50",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-Djava.io.tmpdir=/tmp");
    assertThat(env(trainer, "OMP_WAIT_POLICY")).isEqualTo("PASSIVE");
    assertThat(env(trainer, "DJL_CACHE_DIR")).isEqualTo("/tmp/djl");
    assertThat(env(trainer, "ENGINE_CACHE_DIR")).isEqualTo("/tmp/djl");
  }

  @Test
  void gpuPodsTurnOnTf32ProductsUnlessThePrecisionSaysOtherwise() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setGpus(1);
    assertThat(
            env(
                trainer(TrainerJobFactory.build(run, 1, DEFAULTS)),
                "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"))
        .isEqualTo("1");

    run.getSpec().getTraining().setPrecision(io.cospress.api.v1alpha1.Precision.FP32);
    assertThat(
            env(
                trainer(TrainerJobFactory.build(run, 1, DEFAULTS)),
                "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"))
        .as("off explicitly: the CUDA image turns it on")
        .isEqualTo("0");

    run.getSpec().getTraining().setPrecision(io.cospress.api.v1alpha1.Precision.TF32);
    run.getSpec().getResources().setGpus(0);
    assertThat(trainer(TrainerJobFactory.build(run, 1, DEFAULTS)).getEnv())
        .as("a CPU pod has no cuBLAS to configure")
        .noneMatch(e -> e.getName().equals("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"));
  }

  @Test
  void trainerKnowsItsRunAndAttemptAndConfinesPaths() {
    Container trainer = trainer(TrainerJobFactory.build(TestRuns.run("vit-distil"), 7, DEFAULTS));

    assertThat(env(trainer, CosPressConstants.ENV_RUN_NAME)).isEqualTo("vit-distil");
    assertThat(env(trainer, CosPressConstants.ENV_RUN_NAMESPACE)).isEqualTo(TestRuns.NAMESPACE);
    assertThat(env(trainer, CosPressConstants.ENV_RUN_UID)).isEqualTo(TestRuns.UID);
    assertThat(env(trainer, CosPressConstants.ENV_ATTEMPT)).isEqualTo("7");
    assertThat(env(trainer, CosPressConstants.ENV_CONFINE_PATHS)).isEqualTo("true");
  }

  @Test
  void trainerRunsTheMountedManifestAndServesMetrics() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS);
    Container trainer = trainer(job);

    assertThat(trainer.getName()).isEqualTo("trainer");
    assertThat(trainer.getArgs())
        .containsExactly(
            "run",
            "-f",
            "/etc/cospress/run.yaml",
            "--output",
            "/var/lib/cospress/output",
            "--base-dir",
            "/var/lib/cospress/output",
            "--metrics-port",
            "9400");
    assertThat(trainer.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(trainer.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getContainerPort()).isEqualTo(CosPressConstants.TRAINER_METRICS_PORT);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9400")
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void cpuAndMemoryRequestsEqualLimits() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setCpu("3500m");
    run.getSpec().getResources().setMemory("12Gi");

    Container trainer = trainer(TrainerJobFactory.build(run, 1, DEFAULTS));

    Map<String, Quantity> expected =
        Map.of("cpu", new Quantity("3500m"), "memory", new Quantity("12Gi"));
    assertThat(trainer.getResources().getRequests()).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(trainer.getResources().getLimits()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void malformedCpuIsReportedByField() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setCpu("lots");

    assertThatThrownBy(() -> TrainerJobFactory.build(run, 1, DEFAULTS))
        .isInstanceOfSatisfying(
            InvalidRunSpecException.class,
            e -> assertThat(e.field()).isEqualTo("spec.resources.cpu"));
  }

  @Test
  void zeroMemoryIsReportedByField() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setMemory("0");

    assertThatThrownBy(() -> TrainerJobFactory.build(run, 1, DEFAULTS))
        .isInstanceOfSatisfying(
            InvalidRunSpecException.class,
            e -> assertThat(e.field()).isEqualTo("spec.resources.memory"));
  }

  @Test
  void imageOfTheRunOverridesTheDefaults() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().setImage("registry.example/cospress/trainer:dev");
    run.getSpec().getResources().setGpus(1);

    assertThat(trainer(TrainerJobFactory.build(run, 1, DEFAULTS)).getImage())
        .isEqualTo("registry.example/cospress/trainer:dev");
  }

  @Test
  void schedulingConstraintsOfTheRunReachThePod() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getResources().setNodeSelector(Map.of("pool", "a100"));
    run.getSpec().getResources().setPriorityClassName("research-low");
    run.getSpec()
        .getResources()
        .setAffinity(
            new AffinityBuilder()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("zone")
                .withOperator("In")
                .withValues("eu-1a")
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .build());

    PodSpec pod = pod(TrainerJobFactory.build(run, 1, DEFAULTS));

    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("pool", "a100"));
    assertThat(pod.getPriorityClassName()).isEqualTo("research-low");
    assertThat(pod.getAffinity()).isEqualTo(run.getSpec().getResources().getAffinity());
  }

  @Test
  void checkpointClaimIsMountedAsTheOutputDirectory() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getCheckpoint().setClaimName("vit-checkpoints");

    PodSpec pod = pod(TrainerJobFactory.build(run, 1, DEFAULTS));

    Volume checkpoints = volume(pod, "checkpoints");
    assertThat(checkpoints.getPersistentVolumeClaim().getClaimName()).isEqualTo("vit-checkpoints");
    assertThat(checkpoints.getEmptyDir()).isNull();
    VolumeMount mount = mount(pod, "checkpoints");
    assertThat(mount.getMountPath()).isEqualTo("/var/lib/cospress/output");
    assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void withoutAClaimCheckpointsGoToAnEmptyDir() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getCheckpoint().setClaimName(null);

    PodSpec pod = pod(TrainerJobFactory.build(run, 1, DEFAULTS));

    Volume checkpoints = volume(pod, "checkpoints");
    assertThat(checkpoints.getEmptyDir()).isNotNull();
    assertThat(checkpoints.getPersistentVolumeClaim()).isNull();
    assertThat(mount(pod, "checkpoints").getMountPath()).isEqualTo("/var/lib/cospress/output");
  }

  @Test
  void manifestIsMountedReadOnlyAndTmpIsWritable() {
    PodSpec pod = pod(TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS));

    Volume manifest = volume(pod, "run-manifest");
    assertThat(manifest.getConfigMap().getName()).isEqualTo("vit-distil-manifest");
    assertThat(manifest.getConfigMap().getItems())
        .singleElement()
        .satisfies(i -> assertThat(i.getKey()).isEqualTo("run.yaml"));
    assertThat(mount(pod, "run-manifest").getMountPath()).isEqualTo("/etc/cospress");
    assertThat(mount(pod, "run-manifest").getReadOnly()).isTrue();
    assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
    assertThat(mount(pod, "tmp").getMountPath()).isEqualTo("/tmp");
    assertThat(pod.getVolumes()).hasSize(3);
    assertThat(pod.getContainers().get(0).getVolumeMounts()).hasSize(3);
  }

  @Test
  void jobIsNamedAfterRunAndAttemptInTheRunsNamespace() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 3, DEFAULTS);

    assertThat(job.getMetadata().getName()).isEqualTo("vit-distil-a3");
    assertThat(job.getMetadata().getNamespace()).isEqualTo(TestRuns.NAMESPACE);
  }

  @Test
  void longRunNameGivesAStableJobNameThatFitsADnsLabel() {
    String name = "x".repeat(58) + "-abc";
    assertThat(name).hasSize(62);
    String sixtyChars = name.substring(0, 60);

    String first = TrainerJobFactory.jobName(TestRuns.run(sixtyChars), 12);
    String again = TrainerJobFactory.jobName(TestRuns.run(sixtyChars), 12);
    String otherAttempt = TrainerJobFactory.jobName(TestRuns.run(sixtyChars), 13);
    String otherRun =
        TrainerJobFactory.jobName(TestRuns.run(sixtyChars.substring(0, 59) + "z"), 12);

    assertThat(first).isEqualTo(again).hasSizeLessThanOrEqualTo(63).endsWith("-a12");
    assertThat(first).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(first).isNotEqualTo(otherAttempt).isNotEqualTo(otherRun);
    assertThat(
            TrainerJobFactory.build(TestRuns.run(sixtyChars), 12, DEFAULTS).getMetadata().getName())
        .isEqualTo(first);
  }

  @Test
  void jobIsControlledByTheRun() {
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, DEFAULTS);

    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(TestRuns.UID);
              assertThat(ref.getName()).isEqualTo("vit-distil");
              assertThat(ref.getKind()).isEqualTo("DistillationRun");
              assertThat(ref.getApiVersion()).isEqualTo("cospress.io/v1alpha1");
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getBlockOwnerDeletion()).isTrue();
            });
  }

  @Test
  void attemptsStartAtOne() {
    assertThatThrownBy(() -> TrainerJobFactory.build(TestRuns.run("vit-distil"), 0, DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static PodSpec pod(Job job) {
    return job.getSpec().getTemplate().getSpec();
  }

  private static Container trainer(Job job) {
    assertThat(pod(job).getContainers()).hasSize(1);
    return pod(job).getContainers().get(0);
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static VolumeMount mount(PodSpec pod, String name) {
    return pod.getContainers().get(0).getVolumeMounts().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no mount " + name));
  }
}
