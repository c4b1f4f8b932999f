package io.cospress.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.plan.PlannedRun;
import io.cospress.operator.plan.RunAction;
import io.cospress.operator.plan.RunPlanner;
import io.cospress.operator.status.ConditionTypes;
import io.cospress.operator.status.PodFailureClassifier;
import io.cospress.operator.status.RestartCounts;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the Argo CD health check {@code charts/cospress-operator/argocd/health.lua} with real Lua
 * interpreters ({@link HealthLua}) on runs whose status the operator's own {@link RunPlanner} wrote
 * (through {@link PlannedRun}), so a change to the conditions that the script does not follow fails
 * here.
 */
class ArgoCdHealthCheckTest {

  private static final String SCHEDULER_MESSAGE =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";

  private static HealthLua healthLua;

  private PlannedRun planned;

  @TempDir Path workDir;

  @BeforeAll
  static void findInterpretersAndScript() {
    healthLua = HealthLua.find();
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
  void newRunIsProgressingWithThePhaseMessageOnceItsJobIsCreated() throws Exception {
    DistillationRun run = newRun();
    reconcile(run, null, null);

    assertThat(planned.lastPlan().actions())
        .hasAtLeastOneElementOfType(RunAction.CreateAttempt.class);
    assertHealth(run, "Progressing", "job resnet-kd-a1 is creating the trainer pod");
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

  // --- runs, Jobs and pods, planned by the operator's planner ---

  private void reconcile(DistillationRun run, Job job, Pod pod) {
    assertThat(run).isSameAs(planned.run());
    planned.reconcile(job, pod);
  }

  private DistillationRun newRun() {
    planned = PlannedRun.standard();
    return planned.run();
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
        .withNamespace(PlannedRun.NAMESPACE)
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
        .withNamespace(PlannedRun.NAMESPACE)
        .addToLabels(CosPressConstants.LABEL_ATTEMPT, String.valueOf(attemptOf(run)))
        .endMetadata()
        .withNewSpec()
        .withNodeName(PlannedRun.NODE)
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

  private void assertHealth(DistillationRun run, String status, String message)
      throws IOException, InterruptedException {
    assertHealth(HealthLua.asJson(run), status, message);
  }

  private void assertHealth(JsonNode run, String status, String message)
      throws IOException, InterruptedException {
    healthLua.assertHealth(run, status, message, workDir);
  }
}
