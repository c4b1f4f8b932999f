package io.cospress.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.plan.RunAction.CountRestart;
import io.cospress.operator.plan.RunAction.CountTransition;
import io.cospress.operator.plan.RunAction.CreateAttempt;
import io.cospress.operator.plan.RunAction.EmitEvent;
import io.cospress.operator.plan.RunAction.StopAttempt;
import io.cospress.operator.plan.RunObservation.ClaimPresence;
import io.cospress.operator.status.RestartCause;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of a run, as a table: a run driven into a state by earlier reconciliations, one
 * more observation, and what the planner decides: phase, reason, the Ready / Reconciling / Stalled
 * conditions, the actions in order, and when to look again. No API server: the planner is pure.
 */
class RunPlannerTest {

  private static final String GPU_SHORTAGE =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";

  /** Ready, Reconciling, Stalled as T or F, e.g. "FTF". */
  private record Expected(
      RunPhase phase,
      String reason,
      String readyReconcilingStalled,
      List<Class<? extends RunAction>> actions,
      Duration requeue) {}

  private static Arguments row(
      String transition, Function<PlannedRun, RunPlan> drive, Expected expected) {
    return Arguments.of(transition, drive, expected);
  }

  private static Expected expect(
      RunPhase phase,
      String reason,
      String conditions,
      Duration requeue,
      List<Class<? extends RunAction>> actions) {
    return new Expected(phase, reason, conditions, actions, requeue);
  }

  private static final List<Class<? extends RunAction>> TRANSITION =
      List.of(CountTransition.class, EmitEvent.class);
  private static final List<Class<? extends RunAction>> START =
      List.of(CreateAttempt.class, EmitEvent.class);
  private static final List<Class<? extends RunAction>> NONE = List.of();

  @SafeVarargs
  private static List<Class<? extends RunAction>> then(List<Class<? extends RunAction>>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }

  static Stream<Arguments> transitions() {
    return Stream.of(
        row(
            "new run -> creates attempt 1, Pending until its pod exists",
            r -> r.reconcile(null, null),
            expect(RunPhase.Pending, "WaitingForPod", "FTF", null, then(START, TRANSITION))),
        row(
            "new run with a Kueue queue -> creates a held Job, Queued",
            r -> {
              r.run().getSpec().setQueueName("team-gpus");
              return r.reconcile(null, null);
            },
            expect(RunPhase.Queued, "WaitingForAdmission", "FTF", null, then(START, TRANSITION))),
        row(
            "new run whose checkpoint claim is missing -> Failed, nothing created",
            r -> {
              r.run().getSpec().getCheckpoint().setClaimName("absent");
              return r.reconcile(o -> o.withClaim(ClaimPresence.MISSING));
            },
            expect(RunPhase.Failed, "CheckpointVolumeMissing", "FFT", null, TRANSITION)),
        row(
            "new run with a CPU that is no quantity the pod can have -> Failed InvalidInput",
            r -> {
              r.run().getSpec().getResources().setCpu("0");
              return r.reconcile(null, null);
            },
            expect(RunPhase.Failed, "InvalidInput", "FFT", null, TRANSITION)),
        row(
            "Job created, no pod yet -> stays Pending, rechecked when the pending limit runs out",
            r -> {
              r.reconcile(null, null);
              return r.reconcile(r.activeJob(), null);
            },
            expect(RunPhase.Pending, "WaitingForPod", "FTF", Duration.ofMinutes(15), NONE)),
        row(
            "pod unschedulable for 5 min -> Pending with the scheduler's reason",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              Pod pod = r.unschedulablePod(GPU_SHORTAGE);
              r.reconcile(job, pod);
              return r.after(Duration.ofMinutes(5)).reconcile(job, pod);
            },
            expect(RunPhase.Pending, "Unschedulable", "FTF", Duration.ofMinutes(10), NONE)),
        row(
            "pod unschedulable past the pending limit -> Stalled with the scheduler's reason",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              Pod pod = r.unschedulablePod(GPU_SHORTAGE);
              r.reconcile(job, pod);
              return r.after(Duration.ofMinutes(16)).reconcile(job, pod);
            },
            expect(RunPhase.Pending, "Unschedulable", "FFT", null, List.of(EmitEvent.class))),
        row(
            "image that cannot be pulled past the pending limit -> Stalled with the kubelet's reason",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              Pod pod = r.waitingPod("ImagePullBackOff", "Back-off pulling image \"cospress/x\"");
              r.reconcile(job, pod);
              return r.after(Duration.ofMinutes(20)).reconcile(job, pod);
            },
            expect(RunPhase.Pending, "ImagePullBackOff", "FFT", null, List.of(EmitEvent.class))),
        row(
            "stalled pod finally runs -> Running, no longer stalled",
            r -> {
              r.reconcile(null, null);
              Job job = r.activeJob();
              r.reconcile(job, r.unschedulablePod(GPU_SHORTAGE));
              r.after(Duration.ofMinutes(30)).reconcile(job, r.unschedulablePod(GPU_SHORTAGE));
              return r.reconcile(job, r.runningPod());
            },
            expect(RunPhase.Running, "Training", "FTF", null, TRANSITION)),
        row(
            "queued by Kueue for hours -> Queued, never stalled: waiting for quota is by design",
            r -> {
              r.run().getSpec().setQueueName("team-gpus");
              r.reconcile(null, null);
              return r.after(Duration.ofHours(3)).reconcile(r.queuedJob(), null);
            },
            expect(RunPhase.Queued, "WaitingForAdmission", "FTF", null, NONE)),
        row(
            "pod running -> Running",
            r -> {
              r.reconcile(null, null);
              return r.reconcile(r.activeJob(), r.runningPod());
            },
            expect(RunPhase.Running, "Training", "FTF", null, TRANSITION)),
        row(
            "Job complete -> Succeeded",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              return r.reconcile(r.completeJob(), r.pod("Succeeded").build());
            },
            expect(RunPhase.Succeeded, "TrainingComplete", "TFF", null, TRANSITION)),
        row(
            "trainer error within the budget -> restart counted, backoff before attempt 2",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              return r.reconcile(r.failedJob(), r.failedPod(1, "CUDA error"));
            },
            expect(
                RunPhase.Pending,
                "BackoffBeforeRetry",
                "FTF",
                Duration.ofSeconds(10),
                then(List.of(CountRestart.class, EmitEvent.class), TRANSITION))),
        row(
            "Job failed before its pod's final state arrived -> waits for the pod, decides nothing",
            r -> {
              r.reconcile(null, null);
              Pod stale = r.runningPod();
              r.reconcile(r.activeJob(), stale);
              Job failed = r.failedJob();
              return r.after(Duration.ofSeconds(5)).reconcile(failed, stale);
            },
            expect(
                RunPhase.Pending,
                "AttemptFailed",
                "FTF",
                RunPlanner.POD_SETTLE.minusSeconds(5),
                TRANSITION)),
        row(
            "Job failed and its pod still shows running after the settle time -> decided anyway",
            r -> {
              r.reconcile(null, null);
              Pod stale = r.runningPod();
              r.reconcile(r.activeJob(), stale);
              Job failed = r.failedJob();
              return r.after(RunPlanner.POD_SETTLE).reconcile(failed, stale);
            },
            expect(
                RunPhase.Pending,
                "BackoffBeforeRetry",
                "FTF",
                Duration.ofSeconds(10),
                then(List.of(CountRestart.class, EmitEvent.class), TRANSITION))),
        row(
            "backoff still running -> waits, creates nothing",
            r -> {
              r.reconcile(null, null);
              Job failed = r.failedJob();
              r.reconcile(failed, r.failedPod(1, "CUDA error"));
              Instant failedAt = r.now();
              return r.after(Duration.ofSeconds(3))
                  .reconcile(o -> o.withPreviousAttemptFailedAt(failedAt));
            },
            expect(RunPhase.Pending, "BackoffBeforeRetry", "FTF", Duration.ofSeconds(7), NONE)),
        row(
            "backoff over -> creates attempt 2",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.failedJob(), r.failedPod(1, "CUDA error"));
              Instant failedAt = r.now();
              return r.after(Duration.ofSeconds(10))
                  .reconcile(o -> o.withPreviousAttemptFailedAt(failedAt));
            },
            expect(RunPhase.Pending, "WaitingForPod", "FTF", null, START)),
        row(
            "trainer error with the budget used up -> Failed RestartBudgetExhausted",
            r -> {
              r.run().getSpec().setMaxRestarts(0);
              r.reconcile(null, null);
              return r.reconcile(r.failedJob(), r.failedPod(1, "loss became NaN"));
            },
            expect(
                RunPhase.Failed,
                "RestartBudgetExhausted",
                "FFT",
                null,
                then(List.of(EmitEvent.class), TRANSITION))),
        row(
            "trainer rejected its input (exit 2) -> Failed at once, whatever the budget",
            r -> {
              r.run().getSpec().setMaxRestarts(5);
              r.reconcile(null, null);
              return r.reconcile(r.failedJob(), r.failedPod(2, "spec.teacher.model: not found"));
            },
            expect(
                RunPhase.Failed,
                "InvalidInput",
                "FFT",
                null,
                then(List.of(EmitEvent.class), TRANSITION))),
        row(
            "preempted with no budget left -> restarted anyway: preemption is free",
            r -> {
              r.run().getSpec().setMaxRestarts(0);
              r.reconcile(null, null);
              Pod preempted =
                  r.failedPod(
                      143,
                      "terminated",
                      PlannedRun.condition(
                          "DisruptionTarget", "True", "PreemptionByScheduler", "preempted"));
              return r.reconcile(r.failedJob(), preempted);
            },
            expect(
                RunPhase.Pending,
                "BackoffBeforeRetry",
                "FTF",
                Duration.ofSeconds(10),
                List.of(CountRestart.class, EmitEvent.class))),
        row(
            "suspended while training -> the Job is stopped, Suspended while it checkpoints",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, true));
              return r.reconcile(r.activeJob(), r.runningPod());
            },
            expect(
                RunPhase.Suspended,
                "Suspending",
                "FTF",
                null,
                then(List.of(StopAttempt.class, EmitEvent.class), TRANSITION))),
        row(
            "suspended and the Job gone -> Suspended, nothing runs",
            r -> {
              r.reconcile(null, null);
              r.editSpec(s -> suspend(s, true));
              r.reconcile(r.activeJob(), r.runningPod());
              return r.reconcile(null, null);
            },
            expect(RunPhase.Suspended, "Suspended", "FFF", null, NONE)),
        row(
            "suspended, the Job gone, its pod still checkpoints -> Suspending, nothing else done",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, true));
              r.reconcile(r.activeJob(), r.runningPod());
              return r.reconcile(null, r.runningPod());
            },
            expect(RunPhase.Suspended, "Suspending", "FTF", null, NONE)),
        row(
            "suspended, the Job gone, its pod exited after checkpointing -> Suspended",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, true));
              r.reconcile(r.activeJob(), r.runningPod());
              r.reconcile(null, r.runningPod());
              return r.reconcile(null, r.failedPod(143, "stopped"));
            },
            expect(RunPhase.Suspended, "Suspended", "FFF", null, NONE)),
        row(
            "resumed while the stopped Job's pod still checkpoints -> waits, creates nothing",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, true));
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, false));
              return r.reconcile(null, r.runningPod());
            },
            expect(
                RunPhase.Pending,
                "TrainerStopping",
                "FTF",
                RunPlanner.WAIT_FOR_DELETION,
                TRANSITION)),
        row(
            "resumed once the stopped Job's pod exited -> the same attempt starts again",
            r -> {
              r.reconcile(null, null);
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, true));
              r.reconcile(r.activeJob(), r.runningPod());
              r.editSpec(s -> suspend(s, false));
              r.reconcile(null, r.runningPod());
              return r.reconcile(null, r.failedPod(143, "stopped"));
            },
            expect(RunPhase.Pending, "WaitingForPod", "FTF", null, START)),
        row(
            "resumed while the stopped Job is still going away -> looks again shortly",
            r -> {
              r.reconcile(null, null);
              r.editSpec(s -> suspend(s, true));
              r.reconcile(null, null);
              r.editSpec(s -> suspend(s, false));
              Job deleting =
                  new JobBuilder(r.activeJob())
                      .editMetadata()
                      .withDeletionTimestamp(r.now().toString())
                      .endMetadata()
                      .build();
              return r.reconcile(deleting, null);
            },
            expect(
                RunPhase.Pending,
                "WaitingForPod",
                "FTF",
                RunPlanner.WAIT_FOR_DELETION,
                TRANSITION)),
        row(
            "resumed -> the same attempt starts again, no restart counted",
            r -> {
              r.reconcile(null, null);
              r.editSpec(s -> suspend(s, true));
              r.reconcile(null, null);
              r.editSpec(s -> suspend(s, false));
              return r.reconcile(null, null);
            },
            expect(RunPhase.Pending, "WaitingForPod", "FTF", null, then(START, TRANSITION))),
        row(
            "succeeded and its Job removed -> stays Succeeded, nothing is trained again",
            r -> {
              r.reconcile(r.completeJob(), null);
              return r.reconcile(null, null);
            },
            expect(RunPhase.Succeeded, "TrainingComplete", "TFF", null, NONE)),
        row(
            "failed, and a pod of its Job runs again -> stays Failed, nothing stopped or created",
            r -> {
              r.run().getSpec().setMaxRestarts(0);
              r.reconcile(r.failedJob(), r.failedPod(1, "loss became NaN"));
              return r.reconcile(r.activeJob(), r.runningPod());
            },
            expect(RunPhase.Failed, "RestartBudgetExhausted", "FFT", null, NONE)),
        row(
            "failed and its spec edited -> stays Failed",
            r -> {
              r.reconcile(r.failedJob(), r.failedPod(2, "bad manifest"));
              r.editSpec(s -> suspend(s, true));
              return r.reconcile(null, null);
            },
            expect(RunPhase.Failed, "InvalidInput", "FFT", null, NONE)));
  }

  private static io.cospress.api.v1alpha1.DistillationRunSpec suspend(
      io.cospress.api.v1alpha1.DistillationRunSpec spec, boolean suspend) {
    spec.setSuspend(suspend);
    return spec;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transitions")
  void transition(String name, Function<PlannedRun, RunPlan> drive, Expected expected) {
    PlannedRun run = PlannedRun.standard();

    RunPlan plan = drive.apply(run);

    DistillationRunStatus status = plan.status();
    assertThat(status.getPhase()).as("phase").isEqualTo(expected.phase());
    assertThat(status.getReason()).as("reason").isEqualTo(expected.reason());
    assertThat(conditions(status))
        .as("Ready, Reconciling, Stalled")
        .isEqualTo(expected.readyReconcilingStalled());
    assertThat(plan.actions().stream().map(a -> a.getClass().getSimpleName()).toList())
        .as("actions")
        .isEqualTo(expected.actions().stream().map(Class::getSimpleName).toList());
    assertThat(plan.requeueAfter()).as("requeue").isEqualTo(expected.requeue());
    assertThat(status.getObservedGeneration()).isEqualTo(run.run().getMetadata().getGeneration());
  }

  @Test
  void firstAttemptIsCreatedFromTheRunAndAnnouncedAsAnEvent() {
    PlannedRun run = PlannedRun.standard();

    RunPlan plan = run.reconcile(null, null);

    CreateAttempt create = plan.actionsOf(CreateAttempt.class).get(0);
    assertThat(create.attempt()).isEqualTo(1);
    assertThat(create.job().getMetadata().getName()).isEqualTo("resnet-kd-a1");
    assertThat(plan.actionsOf(EmitEvent.class).get(0))
        .isEqualTo(EmitEvent.normal("AttemptStarted", "created Job resnet-kd-a1 for attempt 1"));
    assertThat(plan.actionsOf(CountTransition.class))
        .containsExactly(new CountTransition(null, RunPhase.Pending));
    assertThat(plan.status().getJobName()).isEqualTo("resnet-kd-a1");
    assertThat(plan.status().getAttempt()).isEqualTo(1);
  }

  @Test
  void retryCountsTheRestartByCauseAndMovesToTheNextAttempt() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(null, null);

    RunPlan plan = run.reconcile(run.failedJob(), run.failedPod(1, "CUDA error"));

    assertThat(plan.actionsOf(CountRestart.class))
        .containsExactly(new CountRestart(RestartCause.APPLICATION_ERROR));
    assertThat(plan.status().getRestarts().getTotal()).isEqualTo(1);
    assertThat(plan.status().getRestarts().getApplicationError()).isEqualTo(1);
    assertThat(plan.status().getAttempt()).isEqualTo(2);
    assertThat(plan.status().getJobName()).isEqualTo("resnet-kd-a2");
    assertThat(plan.status().getMessage())
        .startsWith("attempt 2 starts in 10s after application error");
  }

  @Test
  void unsetMaxRestartsMeansTheDefaultOfThree() {
    PlannedRun run = PlannedRun.standard();
    run.run().getSpec().setMaxRestarts(null);
    run.reconcile(null, null);
    for (int attempt = 1; attempt <= 3; attempt++) {
      RunPlan retried = run.reconcile(run.failedJob(), run.failedPod(1, "error " + attempt));
      assertThat(retried.status().getPhase())
          .as("after failure %d", attempt)
          .isEqualTo(RunPhase.Pending);
    }

    RunPlan last = run.reconcile(run.failedJob(), run.failedPod(1, "error 4"));

    assertThat(last.status().getPhase()).isEqualTo(RunPhase.Failed);
    assertThat(last.status().getReason()).isEqualTo("RestartBudgetExhausted");
    assertThat(last.status().getMessage()).contains("all 3 of spec.maxRestarts");
  }

  @Test
  void stalledPendingRunSaysHowLongItWaitedAndTheSchedulersMessage() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(null, null);
    Job job = run.activeJob();
    Pod pod = run.unschedulablePod(GPU_SHORTAGE);
    run.reconcile(job, pod);

    RunPlan plan = run.after(Duration.ofMinutes(16)).reconcile(job, pod);

    assertThat(plan.status().getMessage())
        .isEqualTo("pending for 16m, longer than the operator's limit of 15m: " + GPU_SHORTAGE);
    assertThat(plan.actionsOf(EmitEvent.class))
        .containsExactly(EmitEvent.warning("Stalled", plan.status().getMessage()));
    RunPlan again = run.after(Duration.ofMinutes(1)).reconcile(job, pod);
    assertThat(again.actionsOf(EmitEvent.class)).as("announced once").isEmpty();
  }

  @Test
  void zeroPendingLimitNeverStalls() {
    PlannedRun run =
        new PlannedRun(
            new RunPlanner(
                io.cospress.operator.job.TrainerDefaults.standard(),
                new io.cospress.operator.status.RetryPolicy(),
                Duration.ZERO));
    run.reconcile(null, null);
    Job job = run.activeJob();
    Pod pod = run.unschedulablePod(GPU_SHORTAGE);

    RunPlan plan = run.after(Duration.ofDays(2)).reconcile(job, pod);

    assertThat(conditions(plan.status())).isEqualTo("FTF");
    assertThat(plan.requeueAfter()).isNull();
  }

  @Test
  void eachCheckpointTheTrainerWritesIsAnnouncedOnce() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(null, null);
    run.reconcile(run.activeJob(), run.runningPod());
    CheckpointStatus checkpoint = new CheckpointStatus();
    checkpoint.setLatest("ckpt-000002");
    checkpoint.setBest("ckpt-000001");
    run.status().setCheckpoint(checkpoint);

    RunPlan announced = run.reconcile(run.activeJob(), run.runningPod());
    RunPlan again = run.reconcile(run.activeJob(), run.runningPod());

    assertThat(announced.actions())
        .containsExactly(
            EmitEvent.normal("CheckpointSaved", "trainer wrote checkpoint ckpt-000002"));
    assertThat(announced.status().getAnnouncedCheckpoint()).isEqualTo("ckpt-000002");
    assertThat(again.actions()).isEmpty();
    assertThat(again.statusChanged()).isFalse();
  }

  @Test
  void sameObservationAgainChangesNothing() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(null, null);
    run.reconcile(run.activeJob(), run.runningPod());

    RunPlan plan = run.after(Duration.ofMinutes(3)).reconcile(run.activeJob(), run.runningPod());

    assertThat(plan.statusChanged()).isFalse();
    assertThat(plan.actions()).isEmpty();
  }

  @Test
  void attemptMayNotStartWithoutKnowingWhetherTheClaimExists() {
    PlannedRun run = PlannedRun.standard();
    run.run().getSpec().getCheckpoint().setClaimName("runs");

    assertThatThrownBy(() -> run.reconcile(o -> o.withClaim(ClaimPresence.NOT_CHECKED)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint claim");
  }

  private static String conditions(DistillationRunStatus status) {
    return flag(status, "Ready") + flag(status, "Reconciling") + flag(status, "Stalled");
  }

  private static String flag(DistillationRunStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(Condition::getStatus)
        .map(s -> "True".equals(s) ? "T" : "F")
        .findFirst()
        .orElse("-");
  }
}
