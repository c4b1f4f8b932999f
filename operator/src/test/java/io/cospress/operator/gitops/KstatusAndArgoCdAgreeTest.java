package io.cospress.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.operator.gitops.Kstatus.Status;
import io.cospress.operator.plan.FailedReconcile;
import io.cospress.operator.plan.PlannedRun;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every phase of a run, with the status the operator's planner writes, read by kstatus (Flux) with
 * its documented rules ({@link Kstatus}) and by the Argo CD health check ({@link HealthLua}); the
 * two must agree: Current is Healthy, Failed is Degraded, InProgress is Progressing or Suspended.
 */
class KstatusAndArgoCdAgreeTest {

  private static final String GPU_SHORTAGE =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
  private static final String FAILURE = "creating Job resnet-kd-a1 for attempt 1 failed: HTTP 403";

  /** Which Argo CD health statuses each kstatus status corresponds to. */
  private static final Map<Status, java.util.Set<String>> AGREEING =
      Map.of(
          Status.CURRENT, java.util.Set.of("Healthy"),
          Status.FAILED, java.util.Set.of("Degraded"),
          Status.IN_PROGRESS, java.util.Set.of("Progressing", "Suspended"));

  private static HealthLua healthLua;

  @TempDir Path workDir;

  @BeforeAll
  static void findInterpreters() {
    healthLua = HealthLua.find();
  }

  private static Arguments phase(
      String name, Consumer<PlannedRun> drive, Status kstatus, String argoCd) {
    return Arguments.of(name, drive, kstatus, argoCd);
  }

  static Stream<Arguments> phases() {
    return Stream.of(
        phase(
            "new run as the API server stores it, before the operator saw it",
            r -> r.run().setStatus(null),
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Pending, Job created",
            r -> r.reconcile(null, null),
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Pending, pod unschedulable within the limit",
            r -> {
              r.reconcile(null, null);
              r.after(Duration.ofMinutes(1))
                  .reconcile(r.activeJob(), r.unschedulablePod(GPU_SHORTAGE));
            },
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Pending, pod unschedulable past the limit",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              Pod pod = r.unschedulablePod(GPU_SHORTAGE);
              r.reconcile(job, pod);
              r.after(Duration.ofMinutes(16)).reconcile(job, pod);
            },
            Status.FAILED,
            "Degraded"),
        phase(
            "Pending, image not pulled past the limit",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              Pod pod = r.waitingPod("ErrImagePull", "pull access denied");
              r.reconcile(job, pod);
              r.after(Duration.ofHours(1)).reconcile(job, pod);
            },
            Status.FAILED,
            "Degraded"),
        phase(
            "Pending, backoff before a retry",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.failedJob(), r.failedPod(1, "CUDA error"));
            },
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Queued by Kueue",
            r -> {
              r.run().getSpec().setQueueName("team-gpus");
              r.reconcile(null, null);
              r.after(Duration.ofHours(2)).reconcile(r.queuedJob(), null);
            },
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Running",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              ProgressStatus progress = new ProgressStatus();
              progress.setEpochs("3/10");
              r.status().setProgress(progress);
            },
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "Suspended, trainer still checkpointing",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspended(s));
              r.reconcile(r.activeJob(), r.runningPod());
            },
            Status.IN_PROGRESS,
            "Suspended"),
        phase(
            "Suspended",
            r -> {
              r.reconcile(null, null);
              r.editSpec(s -> suspended(s));
              r.reconcile(null, null);
            },
            Status.IN_PROGRESS,
            "Suspended"),
        phase("Succeeded", r -> r.reconcile(r.completeJob(), null), Status.CURRENT, "Healthy"),
        phase(
            "Failed",
            r -> r.reconcile(r.failedJob(), r.failedPod(2, "spec.teacher.model: not found")),
            Status.FAILED,
            "Degraded"),
        phase(
            "Succeeded, then its spec edited and observed",
            r -> {
              r.reconcile(r.completeJob(), null);
              r.editSpec(s -> suspended(s));
              r.reconcile(null, null);
            },
            Status.CURRENT,
            "Healthy"),
        phase(
            "Running, spec edited and not yet observed",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspended(s));
            },
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "API failure, still retrying",
            r ->
                r.applyStatus(
                    FailedReconcile.status(r.run(), FAILURE, false, r.now()).orElseThrow()),
            Status.IN_PROGRESS,
            "Progressing"),
        phase(
            "API failure, quick retries used up",
            r ->
                r.applyStatus(
                    FailedReconcile.status(r.run(), FAILURE, true, r.now()).orElseThrow()),
            Status.FAILED,
            "Degraded"));
  }

  private static io.cospress.api.v1alpha1.DistillationRunSpec suspended(
      io.cospress.api.v1alpha1.DistillationRunSpec spec) {
    spec.setSuspend(true);
    return spec;
  }

  @ParameterizedTest(name = "{0}: kstatus {2}, Argo CD {3}")
  @MethodSource("phases")
  void kstatusAndArgoCdAgree(String name, Consumer<PlannedRun> drive, Status kstatus, String argoCd)
      throws Exception {
    PlannedRun run = PlannedRun.standard();
    drive.accept(run);
    JsonNode stored = asStored(HealthLua.asJson(run.run()));

    Status computed = Kstatus.compute(stored);
    String health = healthLua.evaluate(stored, workDir).status();

    assertThat(computed).as("kstatus of %s", stored).isEqualTo(kstatus);
    assertThat(health).as("Argo CD health of %s", stored).isEqualTo(argoCd);
    assertThat(AGREEING.get(computed)).as("Argo CD agrees with kstatus").contains(health);
  }

  /**
   * The run as the API server returns it: the CRD defaults a missing status to {} and its
   * observedGeneration to 0 (read from the committed CRD, so the test follows it).
   */
  private static JsonNode asStored(JsonNode run) throws Exception {
    JsonNode statusSchema =
        new YAMLMapper()
            .readTree(Path.of("../crds", CosPressConstants.CRD_NAME + "-v1.yml").toFile())
            .path("spec")
            .path("versions")
            .get(0)
            .path("schema")
            .path("openAPIV3Schema")
            .path("properties")
            .path("status");
    ObjectNode copy = run.deepCopy();
    if (!copy.hasNonNull("status") && statusSchema.has("default")) {
      copy.set("status", statusSchema.get("default").deepCopy());
    }
    JsonNode observedDefault =
        statusSchema.path("properties").path("observedGeneration").path("default");
    if (copy.get("status") instanceof ObjectNode status
        && !status.has("observedGeneration")
        && !observedDefault.isMissingNode()) {
      status.set("observedGeneration", observedDefault.deepCopy());
    }
    return copy;
  }
}
