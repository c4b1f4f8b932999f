package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.job.InvalidRunSpecException;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.plan.RunAction.CountRestart;
import io.cospress.operator.plan.RunAction.CreateAttempt;
import io.cospress.operator.plan.RunAction.EmitEvent;
import io.cospress.operator.plan.RunAction.StopAttempt;
import io.cospress.operator.plan.RunObservation.ClaimPresence;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.FailureClassification;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.KubernetesSignals;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.PodFacts;
import io.cospress.operator.status.PodFailureClassifier;
import io.cospress.operator.status.RestartCounts;
import io.cospress.operator.status.RetryDecision;
import io.cospress.operator.status.RetryPolicy;
import io.cospress.operator.status.StatusDiff;
import io.cospress.operator.status.StatusReasons;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides, from one {@link RunObservation}, the run's status and what to do about it: a pure
 * function with no API access, so every transition is a table test ({@code RunPlannerTest}).
 *
 * <p>In order:
 *
 * <ol>
 *   <li>A run whose phase is Succeeded or Failed is terminal: nothing is created or deleted again,
 *       whatever is observed (see {@link PhaseResolver} for why).
 *   <li>{@code spec.suspend}: a live Job of the current attempt is stopped; nothing new starts.
 *   <li>A Job of the current attempt still going away, or gone while its trainer pod still
 *       checkpoints and exits (a suspension just lifted): look again shortly.
 *   <li>No Job of the current attempt: wait out the retry backoff; then fail for a missing
 *       checkpoint claim or an invalid spec, else create the attempt's Job.
 *   <li>A failed Job: classify the failure and let {@link RetryPolicy} decide between a retry
 *       (counted by cause, after a backoff) and giving up.
 * </ol>
 *
 * <p>The phase then comes from {@link PhaseResolver} (unless a step above decided it), a pending
 * trainer past {@link PendingLimit} is reported stalled, and phase transitions and new checkpoints
 * become events.
 */
public final class RunPlanner {

  /** How long to look again while a deleted Job of the same name is still going away. */
  static final Duration WAIT_FOR_DELETION = Duration.ofSeconds(2);

  /** How long a failed Job's pod may take to show how it ended before the failure is judged. */
  static final Duration POD_SETTLE = Duration.ofSeconds(30);

  private final TrainerDefaults defaults;
  private final RetryPolicy retryPolicy;
  private final PendingLimit pendingLimit;

  /**
   * @param pendingStalledAfter how long a trainer may be pending before the run is reported
   *     stalled; zero never reports it
   */
  public RunPlanner(
      TrainerDefaults defaults, RetryPolicy retryPolicy, Duration pendingStalledAfter) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.pendingLimit = new PendingLimit(pendingStalledAfter);
  }

  /** What one step of the decision settled; null fields are left to what follows. */
  private record Step(
      Job job,
      RestartsStatus restarts,
      RetryDecision decision,
      PhaseResolution resolution,
      Duration requeue) {

    static Step observe(Job job, RestartsStatus restarts) {
      return new Step(job, restarts, null, null, null);
    }

    static Step resolved(RestartsStatus restarts, PhaseResolution resolution, Duration requeue) {
      return new Step(null, restarts, null, resolution, requeue);
    }
  }

  public RunPlan plan(RunObservation observation) {
    DistillationRun run = observation.run();
    DistillationRunStatus current = run.getStatus();
    List<RunAction> actions = new ArrayList<>();
    RestartsStatus restarts = RestartCounts.of(current);
    Step step =
        isTerminal(current)
            ? Step.resolved(restarts, PhaseResolver.keptFinal(current), null)
            : decide(observation, restarts, actions);

    // A Job this plan creates has no pod yet: one observed belongs to an earlier Job of that name.
    boolean creates = step.job() != null && step.job() != observation.job();
    Pod pod = creates ? null : observation.pod();
    PhaseResolution resolution = step.resolution();
    Duration requeue = step.requeue();
    if (resolution == null) {
      resolution =
          PhaseResolver.resolve(
              PhaseFacts.forRun(run)
                  .job(step.job())
                  .pod(pod)
                  .failureDecision(step.decision())
                  .build());
      PendingLimit.Outcome pending =
          pendingLimit.apply(resolution, step.job(), pod, observation.now());
      resolution = pending.resolution();
      requeue = earliest(requeue, pending.recheckAfter());
    }

    String announced = Announcements.add(current, resolution, actions);
    ConditionsUpdater conditions =
        new ConditionsUpdater(Clock.fixed(observation.now(), ZoneOffset.UTC));
    DistillationRunStatus desired =
        DesiredStatus.of(run, resolution, step.restarts(), pod, announced, conditions);
    boolean changed =
        current == null
            || StatusDiff.significantlyDifferent(OperatorStatus.ownedPartOf(current), desired);
    return new RunPlan(desired, changed, actions, requeue);
  }

  private Step decide(
      RunObservation observation, RestartsStatus restarts, List<RunAction> actions) {
    DistillationRun run = observation.run();
    Job job = observation.job();
    if (Boolean.TRUE.equals(run.getSpec().getSuspend())) {
      if (job != null && !isDeleting(job) && !JobFacts.isComplete(job) && !hasFailed(job)) {
        // Deleting the Job sends SIGTERM to the trainer, which checkpoints before it exits;
        // resuming starts the same attempt again from that checkpoint, so suspension costs no
        // retry budget.
        actions.add(
            new StopAttempt(JobFacts.name(job), TrainerJobFactory.TERMINATION_GRACE_SECONDS));
        actions.add(
            EmitEvent.normal(
                StatusReasons.SUSPENDING,
                "deleted Job " + JobFacts.name(job) + "; the trainer checkpoints before it stops"));
      }
      return Step.observe(job, restarts);
    }
    if (job != null && isDeleting(job)) {
      // Resuming: the suspended attempt's Job is still going away.
      return new Step(job, restarts, null, null, WAIT_FOR_DELETION);
    }
    Pod pod = observation.pod();
    if (job == null && pod != null && !PodFacts.hasFinished(pod)) {
      // Resuming while the suspended attempt's trainer still writes its SIGTERM checkpoint: a new
      // trainer would wait for the old one's lock on the checkpoint directory, and the status
      // would call the old pod the new attempt's. Its exit or removal starts a reconciliation.
      return Step.resolved(
          restarts,
          new PhaseResolution(
              RunPhase.Pending,
              StatusReasons.TRAINER_STOPPING,
              "waiting for trainer pod "
                  + PodFacts.name(pod)
                  + " of the stopped job to checkpoint and exit before the attempt starts again"),
          WAIT_FOR_DELETION);
    }
    if (job == null) {
      return startOrWait(observation, restarts, actions);
    }
    if (hasFailed(job)) {
      Duration settling = podSettling(job, observation.pod(), observation.now());
      if (!settling.isZero()) {
        // The Job and pod informers are separate watches: the Job's verdict can arrive before the
        // pod's final state, and classifying a pod still shown as running would misread, say, an
        // invalid-input exit as an application error. The pod's update is due any moment.
        return new Step(job, restarts, null, null, settling);
      }
      FailureClassification failure = PodFailureClassifier.classify(observation.pod(), job);
      RetryDecision decision = retryPolicy.decide(maxRestarts(run.getSpec()), restarts, failure);
      if (decision.retry()) {
        actions.add(new CountRestart(failure.cause()));
        actions.add(EmitEvent.warning(StatusReasons.ATTEMPT_FAILED, decision.message()));
        return new Step(job, decision.restarts(), decision, null, decision.delay());
      }
      actions.add(EmitEvent.warning(decision.reason(), decision.message()));
      return new Step(job, restarts, decision, null, null);
    }
    return Step.observe(job, restarts);
  }

  /**
   * How long to wait for the final state of a failed Job's pod: zero once the pod shows how it
   * ended (or is gone, or {@link #POD_SETTLE} has passed since the Job failed).
   */
  private static Duration podSettling(Job job, Pod pod, Instant now) {
    if (pod == null
        || KubernetesSignals.PHASE_FAILED.equals(PodFacts.phase(pod))
        || KubernetesSignals.PHASE_SUCCEEDED.equals(PodFacts.phase(pod))
        || PodFacts.isBeingDeleted(pod)
        || PodFacts.failedContainer(pod).isPresent()
        || PodFacts.activeDisruption(pod).isPresent()) {
      return Duration.ZERO;
    }
    Instant failedAt =
        JobFacts.failure(job)
            .flatMap(c -> Durations.parse(c.getLastTransitionTime()))
            .orElse(Instant.EPOCH);
    Instant decideBy = failedAt.plus(POD_SETTLE);
    return decideBy.isAfter(now) ? Duration.between(now, decideBy) : Duration.ZERO;
  }

  /** No Job of the current attempt: wait out the backoff, fail, or create it. */
  private Step startOrWait(
      RunObservation observation, RestartsStatus restarts, List<RunAction> actions) {
    DistillationRun run = observation.run();
    int attempt = restarts.getTotal() + 1;
    Duration wait = backoffRemaining(observation, restarts);
    if (!wait.isZero()) {
      DistillationRunStatus current = run.getStatus();
      String message =
          current != null && current.getMessage() != null
              ? current.getMessage()
              : "waiting " + wait.toSeconds() + "s before attempt " + attempt;
      return Step.resolved(
          restarts,
          new PhaseResolution(RunPhase.Pending, StatusReasons.BACKOFF_BEFORE_RETRY, message),
          wait);
    }
    if (observation.claim() == ClaimPresence.NOT_CHECKED) {
      throw new IllegalArgumentException(
          "an attempt may start, so the observation must say whether the checkpoint claim exists");
    }
    if (observation.claim() == ClaimPresence.MISSING) {
      return Step.resolved(
          restarts,
          new PhaseResolution(
              RunPhase.Failed,
              StatusReasons.CHECKPOINT_VOLUME_MISSING,
              "spec.checkpoint.claimName: PersistentVolumeClaim "
                  + run.getSpec().getCheckpoint().getClaimName()
                  + " not found in namespace "
                  + run.getMetadata().getNamespace()
                  + "; create it, then delete and re-apply the run"),
          null);
    }
    Job job;
    try {
      job = TrainerJobFactory.build(run, attempt, defaults);
    } catch (InvalidRunSpecException e) {
      return Step.resolved(
          restarts,
          new PhaseResolution(RunPhase.Failed, StatusReasons.INVALID_INPUT, e.getMessage()),
          null);
    }
    actions.add(new CreateAttempt(attempt, job));
    actions.add(
        EmitEvent.normal(
            "AttemptStarted",
            "created Job " + job.getMetadata().getName() + " for attempt " + attempt));
    // The status describes the run once the Job exists: it is written only after the create.
    return Step.observe(job, restarts);
  }

  /** Zero when the next attempt may start; otherwise how long its backoff still runs. */
  private Duration backoffRemaining(RunObservation observation, RestartsStatus restarts) {
    if (restarts.getTotal() == 0) {
      return Duration.ZERO;
    }
    // Without the failed Job (removed by hand) the backoff counts as long over.
    Instant failedAt =
        Objects.requireNonNullElse(observation.previousAttemptFailedAt(), Instant.EPOCH);
    Instant due = retryPolicy.retryDueAt(failedAt, restarts.getTotal());
    Instant now = observation.now();
    return due.isAfter(now) ? Duration.between(now, due) : Duration.ZERO;
  }

  static boolean isTerminal(DistillationRunStatus status) {
    return status != null && status.getPhase() != null && status.getPhase().isTerminal();
  }

  private static boolean hasFailed(Job job) {
    return JobFacts.failure(job).isPresent();
  }

  private static boolean isDeleting(Job job) {
    return job.getMetadata() != null && job.getMetadata().getDeletionTimestamp() != null;
  }

  private static int maxRestarts(DistillationRunSpec spec) {
    return Objects.requireNonNullElse(
        spec.getMaxRestarts(), DistillationRunSpec.DEFAULT_MAX_RESTARTS);
  }

  private static Duration earliest(Duration a, Duration b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }
}
