package io.cospress.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.reconciler.DesiredStatus;
import io.cospress.operator.status.ConditionTypes;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.PhaseResolver;
import io.cospress.operator.status.PodFailureClassifier;
import io.cospress.operator.status.RestartCounts;
import io.cospress.operator.status.RetryDecision;
import io.cospress.operator.status.RetryPolicy;
import io.cospress.operator.status.RunObservation;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the Argo CD health check {@code charts/cospress-operator/argocd/health.lua} with real Lua
 * interpreters on runs whose status the operator's own code wrote: {@link PhaseResolver}, {@link
 * ConditionsUpdater} and {@link OperatorStatus}, called the way the reconciler calls them. A change
 * to the conditions that the script does not follow fails here.
 *
 * <p>Argo CD runs the script with gopher-lua (Lua 5.1), so {@code lua5.1} must be on the PATH;
 * {@code lua5.4} runs too when present. Every JSON number becomes a Lua float, as in gopher-lua.
 */
class ArgoCdHealthCheckTest {

  private static final Path HEALTH_LUA = Path.of("../charts/cospress-operator/argocd/health.lua");
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  private static final String RUN_NAME = "resnet-kd";
  private static final String NAMESPACE = "ml";
  private static final String NODE_NAME = "gpu-node-1";
  private static final String SCHEDULER_MESSAGE =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static final List<Path> interpreters = new ArrayList<>();
  private static Path healthLua;

  private final ConditionsUpdater conditions =
      new ConditionsUpdater(Clock.fixed(NOW, ZoneOffset.UTC));

  @TempDir Path workDir;

  @BeforeAll
  static void findInterpretersAndScript() {
    Optional<Path> lua51 = onPath("lua5.1");
    if (lua51.isEmpty()) {
      fail(
          "lua5.1 is not on the PATH. Argo CD runs health checks with gopher-lua, which is Lua 5.1;"
              + " install the Debian package lua5.1 (apt-get install -y lua5.1) to run this test.");
    }
    interpreters.clear();
    interpreters.add(lua51.get());
    onPath("lua5.4").ifPresent(interpreters::add);
    healthLua = HEALTH_LUA.toAbsolutePath().normalize();
    assertThat(healthLua)
        .as("the health check, relative to the operator module (%s)", Path.of("").toAbsolutePath())
        .isRegularFile();
  }

  @Test
  void freshlyCreatedRunWithoutStatusIsProgressing() throws Exception {
    DistillationRun run = newRun();
    run.setStatus(null);

    assertHealth(run, "Progressing", "Waiting for the operator to observe generation 1");
  }

  @Test
  void runWhoseSpecChangedIsProgressingUntilTheOperatorObservesTheNewGeneration() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    run.getSpec().setSuspend(true);
    run.getMetadata().setGeneration(2L);

    assertThat(run.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertHealth(run, "Progressing", "Waiting for the operator to observe generation 2");
  }

  @Test
  void runWaitingForItsJobIsProgressingWithThePhaseMessage() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, null, null);

    assertHealth(run, "Progressing", "creating the trainer job");
  }

  @Test
  void unschedulableRunIsProgressingWithTheSchedulersMessage() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, null, null);
    reconcile(run, activeJob(run), unschedulablePod(run));

    assertThat(condition(run, ConditionTypes.RECONCILING).getReason()).isEqualTo("Unschedulable");
    assertHealth(run, "Progressing", SCHEDULER_MESSAGE);
  }

  @Test
  void runQueuedByKueueIsProgressingWithTheQueue() throws Exception {
    DistillationRun run = newRun();
    run.getSpec().setQueueName("gpu-queue");
    reconcile(run, null, null);
    reconcile(run, kueueSuspendedJob(run, "gpu-queue"), null);

    assertThat(run.getStatus().getPhase().name()).isEqualTo("Queued");
    assertHealth(run, "Progressing", "waiting for Kueue admission in queue gpu-queue");
  }

  @Test
  void runningRunIsProgressingWithTheTrainersProgress() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    ProgressStatus progress = new ProgressStatus();
    progress.setEpochs("3/10");
    progress.setEpoch(3);
    progress.setTotalEpochs(10);
    progress.setStep(1200L);
    progress.setTotalSteps(4000L);
    progress.setFraction(0.3);
    progress.setEtaSeconds(3725L);
    run.getStatus().setProgress(progress);

    assertHealth(
        run,
        "Progressing",
        "attempt 1 is training in pod resnet-kd-a1-7xk2p on node gpu-node-1"
            + " (epoch 3/10, step 1200/4000, 30%, ETA 1h2m)");
  }

  @Test
  void runningRunWithoutProgressYetIsProgressingWithThePhaseMessageOnly() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));

    assertHealth(
        run, "Progressing", "attempt 1 is training in pod resnet-kd-a1-7xk2p on node gpu-node-1");
  }

  @Test
  void progressWithoutFractionShowsTheShareOfStepsDone() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    ProgressStatus progress = new ProgressStatus();
    progress.setEpochs("1/4");
    progress.setStep(290L);
    progress.setTotalSteps(1000L);
    run.getStatus().setProgress(progress);

    assertHealth(
        run,
        "Progressing",
        "attempt 1 is training in pod resnet-kd-a1-7xk2p on node gpu-node-1"
            + " (epoch 1/4, step 290/1000, 29%)");
  }

  @Test
  void runRetryingAfterAFailedAttemptIsProgressingNotDegraded() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    reconcile(
        run, failedJob(run), failedPod(run, 1, "Error", "CUDA error: an illegal memory access"));

    assertThat(run.getStatus().getReason()).isEqualTo("BackoffBeforeRetry");
    String message = condition(run, ConditionTypes.RECONCILING).getMessage();
    assertThat(message).startsWith("attempt 2 starts in 10s after application error");
    assertHealth(run, "Progressing", message);
  }

  @Test
  void succeededRunIsHealthyWithTheReadyMessage() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    reconcile(run, completeJob(run), pod(run, "Succeeded").build());

    assertHealth(run, "Healthy", "training finished and job resnet-kd-a1 completed");
  }

  @Test
  void succeededRunStaysHealthyWhenSuspendIsSetAfterwards() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, completeJob(run), null);
    run.getSpec().setSuspend(true);
    run.getMetadata().setGeneration(2L);
    reconcile(run, null, null);

    assertThat(run.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertHealth(run, "Healthy", "training finished and job resnet-kd-a1 completed");
  }

  @Test
  void failedRunIsDegradedWithTheStalledMessageWhenTheRestartBudgetIsExhausted() throws Exception {
    DistillationRun run = newRun();
    RestartsStatus exhausted = RestartCounts.none();
    exhausted.setTotal(3);
    exhausted.setApplicationError(3);
    reconcile(run, activeJob(run), runningPod(run));
    run.getStatus().setRestarts(exhausted);
    reconcile(run, activeJob(run), runningPod(run));
    reconcile(run, failedJob(run), failedPod(run, 1, "Error", "loss became NaN at step 812"));

    assertThat(run.getStatus().getReason()).isEqualTo("RestartBudgetExhausted");
    String message = condition(run, ConditionTypes.STALLED).getMessage();
    assertThat(message)
        .startsWith("the trainer failed (TrainerError) and all 3 of spec.maxRestarts are used")
        .endsWith("loss became NaN at step 812");
    assertHealth(run, "Degraded", message);
  }

  @Test
  void failedRunIsDegradedWithTheStalledMessageWhenTheInputIsInvalid() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    // Quotes, a backslash, a newline and non-ASCII text check the test's Lua string escaping too.
    String rejection =
        "spec.dataset.train.path: \"données\\train.gz\" does not exist\nsee the trainer log";
    reconcile(
        run,
        failedJob(run),
        failedPod(run, PodFailureClassifier.EXIT_INVALID_INPUT, "Error", rejection));

    assertThat(run.getStatus().getReason()).isEqualTo("InvalidInput");
    assertHealth(run, "Degraded", rejection);
  }

  @Test
  void failedRunStaysDegradedAfterItsSpecChanges() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    reconcile(run, failedJob(run), failedPod(run, 2, "Error", "spec.teacher.model: not found"));
    run.getMetadata().setGeneration(2L);
    reconcile(run, null, null);

    assertThat(run.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertHealth(run, "Degraded", "spec.teacher.model: not found");
  }

  @Test
  void suspendingRunIsSuspendedWhileTheTrainerCheckpoints() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    run.getSpec().setSuspend(true);
    run.getMetadata().setGeneration(2L);
    reconcile(run, activeJob(run), runningPod(run));

    assertThat(run.getStatus().getReason()).isEqualTo("Suspending");
    assertThat(condition(run, ConditionTypes.RECONCILING).getStatus()).isEqualTo("True");
    assertHealth(
        run,
        "Suspended",
        "spec.suspend is true; waiting for trainer pod resnet-kd-a1-7xk2p to checkpoint and exit");
  }

  @Test
  void suspendedRunIsSuspended() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, activeJob(run), runningPod(run));
    run.getSpec().setSuspend(true);
    run.getMetadata().setGeneration(2L);
    reconcile(run, activeJob(run), runningPod(run));
    reconcile(run, null, null);

    assertThat(run.getStatus().getReason()).isEqualTo("Suspended");
    assertThat(condition(run, ConditionTypes.RECONCILING).getStatus()).isEqualTo("False");
    assertHealth(
        run,
        "Suspended",
        "spec.suspend is true; training resumes from the latest checkpoint when it is set to"
            + " false");
  }

  static Stream<Arguments> malformedRuns() {
    return Stream.of(
        Arguments.of("an empty object", "{}", "Waiting for the operator to observe the run"),
        Arguments.of(
            "status a string",
            "metadata: {generation: 3}\nstatus: Running",
            "Waiting for the operator to observe generation 3"),
        Arguments.of(
            "observedGeneration a string",
            "metadata: {generation: 1}\nstatus: {observedGeneration: '1', phase: Running}",
            "Waiting for the operator to observe generation 1"),
        Arguments.of(
            "metadata a list, conditions a string",
            "metadata: [1, 2]\nstatus: {observedGeneration: 1, phase: Running, conditions: Ready}",
            "The operator is reconciling the run (phase Running)"),
        Arguments.of(
            "conditions a map",
            "metadata: {generation: 1}\n"
                + "status: {observedGeneration: 1, conditions: {Ready: {status: 'True'}}}",
            "Waiting for the operator to report the run's state"),
        Arguments.of(
            "conditions with junk entries and a null",
            "metadata: {generation: 1}\n"
                + "status:\n"
                + "  observedGeneration: 1\n"
                + "  conditions: [42, Ready, null, [], {status: 'True'}, {type: 7},"
                + " {type: Reconciling, status: 'True', message: {text: x}, reason: Training}]\n"
                + "  progress: {epoch: three, totalEpochs: 10, step: -5, totalSteps: 0,"
                + " fraction: half, etaSeconds: -1}",
            "Training (step -5/0)"),
        Arguments.of(
            "condition fields of the wrong type",
            "metadata: {generation: 1}\n"
                + "spec: {suspend: 'true'}\n"
                + "status:\n"
                + "  observedGeneration: 1\n"
                + "  conditions: [{type: Stalled, status: true, message: 42},"
                + " {type: Ready, status: [true]}]\n"
                + "  progress: [1, 2]",
            "Waiting for the operator to report the run's state"),
        Arguments.of(
            "spec a string, status fields missing",
            "metadata: {generation: 1}\nspec: suspend\nstatus: {observedGeneration: 1}",
            "Waiting for the operator to report the run's state"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedRuns")
  void malformedRunIsProgressingInsteadOfALuaError(String description, String yaml, String message)
      throws Exception {
    JsonNode run = new YAMLMapper().readTree(yaml);

    assertHealth(run, "Progressing", message);
  }

  @Test
  void failedPhaseWithoutConditionsIsDegradedWithTheStatusMessage() throws Exception {
    JsonNode run =
        new YAMLMapper()
            .readTree(
                "metadata: {generation: 2}\n"
                    + "status: {observedGeneration: 2, phase: Failed, conditions: [],"
                    + " message: checkpoint volume missing}");

    assertHealth(run, "Degraded", "checkpoint volume missing");
  }

  // --- the reconciler's status computation, as DistillationRunReconciler#reconcile does it ---

  /**
   * Updates {@code run}'s status from what the reconciler would observe: the operator-owned part
   * built fresh, the trainer's fields kept beside it as server-side apply merges the two managers'
   * fields.
   */
  private void reconcile(DistillationRun run, Job job, Pod pod) {
    DistillationRunStatus current = run.getStatus();
    RestartsStatus restarts = RestartCounts.of(current);
    boolean terminal =
        current != null && current.getPhase() != null && current.getPhase().isTerminal();
    RetryDecision decision = null;
    if (!terminal && job != null && JobFacts.failure(job).isPresent()) {
      decision =
          new RetryPolicy()
              .decide(
                  run.getSpec().getMaxRestarts(),
                  restarts,
                  PodFailureClassifier.classify(pod, job));
      if (decision.retry()) {
        restarts = decision.restarts();
      }
    }
    PhaseResolution resolution =
        PhaseResolver.resolve(
            RunObservation.forRun(run).job(job).pod(pod).failureDecision(decision).build());
    DistillationRunStatus desired = DesiredStatus.of(run, resolution, restarts, pod, conditions);
    if (current != null) {
      desired.setProgress(current.getProgress());
      desired.setMetrics(current.getMetrics());
      desired.setCheckpoint(current.getCheckpoint());
    }
    run.setStatus(desired);
  }

  private static DistillationRun newRun() {
    DistillationRun run = new DistillationRun();
    run.setMetadata(
        new ObjectMetaBuilder()
            .withName(RUN_NAME)
            .withNamespace(NAMESPACE)
            .withGeneration(1L)
            .withUid("5f0c7a4e-2b1d-4c3e-9a8f-0d1e2f3a4b5c")
            .build());
    run.setSpec(new DistillationRunSpec());
    run.setStatus(null); // the API server drops status on create
    return run;
  }

  private static Condition condition(DistillationRun run, String type) {
    return run.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private static int attemptOf(DistillationRun run) {
    return RestartCounts.of(run.getStatus()).getTotal() + 1;
  }

  private static JobBuilder job(DistillationRun run) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(TrainerJobFactory.jobName(run, attemptOf(run)))
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withNewSpec()
        .withSuspend(false)
        .withBackoffLimit(0)
        .endSpec();
  }

  private static Job activeJob(DistillationRun run) {
    return job(run).withNewStatus().withActive(1).endStatus().build();
  }

  private static Job kueueSuspendedJob(DistillationRun run, String queue) {
    return job(run)
        .editMetadata()
        .addToLabels(CosPressConstants.KUEUE_QUEUE_LABEL, queue)
        .endMetadata()
        .editSpec()
        .withSuspend(true)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Suspended")
        .withStatus("True")
        .withReason("JobSuspended")
        .withMessage("Job suspended")
        .endCondition()
        .endStatus()
        .build();
  }

  private static Job completeJob(DistillationRun run) {
    return finishedJob(run, "Complete", null, null);
  }

  private static Job failedJob(DistillationRun run) {
    return finishedJob(run, "Failed", "BackoffLimitExceeded", "Job has reached the backoff limit");
  }

  private static Job finishedJob(DistillationRun run, String type, String reason, String message) {
    return job(run)
        .withNewStatus()
        .withActive(0)
        .addNewCondition()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .endCondition()
        .endStatus()
        .build();
  }

  private static PodBuilder pod(DistillationRun run, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(TrainerJobFactory.jobName(run, attemptOf(run)) + "-7xk2p")
        .withNamespace(NAMESPACE)
        .addToLabels(CosPressConstants.LABEL_ATTEMPT, String.valueOf(attemptOf(run)))
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE_NAME)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  private static Pod runningPod(DistillationRun run) {
    return pod(run, "Running")
        .editStatus()
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private static Pod unschedulablePod(DistillationRun run) {
    return pod(run, "Pending")
        .editSpec()
        .withNodeName(null)
        .endSpec()
        .editStatus()
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("False")
        .withReason("Unschedulable")
        .withMessage(SCHEDULER_MESSAGE)
        .endCondition()
        .endStatus()
        .build();
  }

  private static Pod failedPod(DistillationRun run, int exitCode, String reason, String message) {
    return pod(run, "Failed")
        .editStatus()
        .addNewContainerStatus()
        .withName("trainer")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(reason)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  // --- running health.lua ---

  private record Health(String status, String message) {}

  private void assertHealth(DistillationRun run, String status, String message)
      throws IOException, InterruptedException {
    assertHealth(JSON.readTree(SERIALIZATION.asJson(run)), status, message);
  }

  private void assertHealth(JsonNode run, String status, String message)
      throws IOException, InterruptedException {
    for (Path lua : interpreters) {
      assertThat(evaluate(lua, run))
          .as("health.lua on %s for %s", lua.getFileName(), run)
          .isEqualTo(new Health(status, message));
    }
  }

  /**
   * Runs health.lua as Argo CD does: {@code obj} is the resource as a table, the script's return
   * value is the health. Libraries Argo CD's sandbox does not offer are removed first.
   */
  private Health evaluate(Path lua, JsonNode run) throws IOException, InterruptedException {
    String driver =
        "obj = "
            + toLua(run)
            + "\n"
            + "local write = io.write\n"
            + "io, os, debug, package, require = nil, nil, nil, nil, nil\n"
            + "local hs = dofile("
            + luaString(healthLua.toString())
            + ")\n"
            + "if type(hs) ~= 'table' or type(hs.status) ~= 'string'"
            + " or type(hs.message) ~= 'string' then\n"
            + "  error('health.lua must return {status = string, message = string}')\n"
            + "end\n"
            + "write(hs.status, '\\n', hs.message)\n";
    Path script = Files.createTempFile(workDir, "driver", ".lua");
    Files.writeString(script, driver, StandardCharsets.UTF_8);
    Path stdout = workDir.resolve(script.getFileName() + ".stdout");
    Path stderr = workDir.resolve(script.getFileName() + ".stderr");
    Process process =
        new ProcessBuilder(lua.toString(), script.toString())
            .directory(workDir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(lua + " did not finish within 30 s");
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      fail(
          "%s failed (exit %d), which Argo CD shows as an unknown health:%n%s%nstdout: %s",
          lua, process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8), out);
    }
    int newline = out.indexOf('\n');
    assertThat(newline).as("output of %s: %s", lua, out).isNotNegative();
    return new Health(out.substring(0, newline), out.substring(newline + 1));
  }

  /** A Lua table constructor for a JSON value; numbers become floats, as in gopher-lua. */
  static String toLua(JsonNode node) {
    StringBuilder lua = new StringBuilder();
    appendLua(node, lua);
    return lua.toString();
  }

  private static void appendLua(JsonNode node, StringBuilder lua) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      lua.append("nil");
    } else if (node.isBoolean()) {
      lua.append(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      lua.append(node.bigIntegerValue()).append(".0");
    } else if (node.isNumber()) {
      lua.append(Double.toString(node.doubleValue()));
    } else if (node.isTextual()) {
      lua.append(luaString(node.textValue()));
    } else if (node.isArray()) {
      lua.append('{');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          lua.append(", ");
        }
        appendLua(node.get(i), lua);
      }
      lua.append('}');
    } else if (node.isObject()) {
      lua.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        lua.append('[').append(luaString(field.getKey())).append("]=");
        appendLua(field.getValue(), lua);
        if (fields.hasNext()) {
          lua.append(", ");
        }
      }
      lua.append('}');
    } else {
      throw new IllegalArgumentException("no Lua form for " + node.getNodeType());
    }
  }

  /**
   * A double-quoted Lua string of the UTF-8 bytes of {@code text}: printable ASCII as is, quote and
   * backslash escaped, every other byte as a three-digit decimal escape, which Lua 5.1 and 5.4 read
   * alike.
   */
  static String luaString(String text) {
    StringBuilder lua = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c == '"' || c == '\\') {
        lua.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        lua.append((char) c);
      } else {
        lua.append('\\').append(String.format("%03d", c));
      }
    }
    return lua.append('"').toString();
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
