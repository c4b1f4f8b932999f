package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.event.RunEvents;
import io.cospress.operator.job.CheckpointCleanupJobFactory;
import io.cospress.operator.job.InvalidRunSpecException;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.metrics.OperatorMetrics;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.FailureClassification;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.PhaseResolver;
import io.cospress.operator.status.PodFailureClassifier;
import io.cospress.operator.status.RestartCounts;
import io.cospress.operator.status.RetryDecision;
import io.cospress.operator.status.RetryPolicy;
import io.cospress.operator.status.RunObservation;
import io.cospress.operator.status.StatusDiff;
import io.cospress.operator.status.StatusReasons;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a DistillationRun into one trainer Job per attempt and its status into phase and
 * conditions. Retries, suspension and failure classification follow docs/failure-semantics.md;
 * everything the run owns carries an owner reference, so deleting the run removes it.
 */
// The periodic reconciliation is a safety net for a missed event, and a heartbeat: with any run
// present the operator reconciles at least every five minutes, which the chart's
// CosPressOperatorNotReconciling alert relies on.
@ControllerConfiguration(
    name = DistillationRunReconciler.NAME,
    fieldManager = CosPressConstants.FIELD_MANAGER_OPERATOR,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public final class DistillationRunReconciler
    implements Reconciler<DistillationRun>, Cleaner<DistillationRun> {

  public static final String NAME = "distillationrun";

  /** How long to look again while a deleted Job of the same name is still going away. */
  static final Duration WAIT_FOR_DELETION = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(DistillationRunReconciler.class);
  private static final String JOB_NAME_LABEL = "job-name";
  static final String CHECKPOINT_VOLUME_MISSING = "CheckpointVolumeMissing";

  private final KubernetesClient client;
  private final TrainerDefaults defaults;
  private final RetryPolicy retryPolicy;
  private final ConditionsUpdater conditions;
  private final RunEvents events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public DistillationRunReconciler(
      KubernetesClient client,
      TrainerDefaults defaults,
      RetryPolicy retryPolicy,
      OperatorMetrics metrics,
      Clock clock) {
    this.client = client;
    this.defaults = defaults;
    this.retryPolicy = retryPolicy;
    this.conditions = new ConditionsUpdater(clock);
    this.events = new RunEvents(client, clock);
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, DistillationRun>> prepareEventSources(
      EventSourceContext<DistillationRun> context) {
    String managed = CosPressConstants.LABEL_MANAGED_BY + "=" + CosPressConstants.MANAGED_BY_VALUE;
    InformerEventSource<Job, DistillationRun> jobs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, DistillationRun.class)
                .withName("jobs")
                .withLabelSelector(managed)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DistillationRun.class))
                .build(),
            context);
    // Pods are owned by their Job, not the run; the pod template carries the run's name.
    InformerEventSource<Pod, DistillationRun> pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, DistillationRun.class)
                .withName("pods")
                .withLabelSelector(managed)
                .withSecondaryToPrimaryMapper(Mappers.fromDefaultAnnotations(DistillationRun.class))
                .build(),
            context);
    return List.of(jobs, pods);
  }

  @Override
  public UpdateControl<DistillationRun> reconcile(
      DistillationRun run, Context<DistillationRun> context) {
    countRunsIn(context);
    DistillationRunStatus current = run.getStatus();
    RunPhase previousPhase = current == null ? null : current.getPhase();
    RestartsStatus restarts = RestartCounts.of(current);
    int attempt = restarts.getTotal() + 1;
    Optional<Job> job = jobOf(context, TrainerJobFactory.jobName(run, attempt));
    Pod pod = job.flatMap(j -> newestPod(context, j)).orElse(null);

    RetryDecision decision = null;
    Duration requeue = null;
    PhaseResolution override = null;
    boolean terminal = previousPhase != null && previousPhase.isTerminal();
    boolean suspend = Boolean.TRUE.equals(run.getSpec().getSuspend());

    if (!terminal) {
      if (suspend) {
        job.filter(j -> !isDeleting(j) && !JobFacts.isComplete(j) && JobFacts.failure(j).isEmpty())
            .ifPresent(j -> suspendAttempt(run, j));
      } else if (job.isPresent() && isDeleting(job.get())) {
        requeue = WAIT_FOR_DELETION; // resuming: the suspended attempt's Job is still going away
      } else if (job.isEmpty()) {
        Duration wait = backoffRemaining(run, context, restarts);
        if (wait.isZero()) {
          Optional<String> missing = missingCheckpointClaim(run);
          if (missing.isPresent()) {
            override =
                new PhaseResolution(RunPhase.Failed, CHECKPOINT_VOLUME_MISSING, missing.get());
          } else {
            try {
              job = Optional.of(startAttempt(run, attempt));
            } catch (InvalidRunSpecException e) {
              override =
                  new PhaseResolution(RunPhase.Failed, StatusReasons.INVALID_INPUT, e.getMessage());
            }
          }
        } else {
          requeue = wait;
          override =
              new PhaseResolution(
                  RunPhase.Pending,
                  StatusReasons.BACKOFF_BEFORE_RETRY,
                  current != null && current.getMessage() != null
                      ? current.getMessage()
                      : "waiting " + wait.toSeconds() + "s before attempt " + attempt);
        }
      } else if (JobFacts.failure(job.get()).isPresent()) {
        FailureClassification failure = PodFailureClassifier.classify(pod, job.get());
        decision = retryPolicy.decide(maxRestarts(run), restarts, failure);
        if (decision.retry()) {
          restarts = decision.restarts();
          requeue = decision.delay();
          metrics.restart(run, failure.cause());
          events.warning(run, "AttemptFailed", decision.message());
        } else {
          events.warning(run, decision.reason(), decision.message());
        }
      }
    }

    PhaseResolution resolution =
        override != null
            ? override
            : PhaseResolver.resolve(
                RunObservation.forRun(run)
                    .job(job.orElse(null))
                    .pod(pod)
                    .failureDecision(decision)
                    .build());
    DistillationRunStatus desired = DesiredStatus.of(run, resolution, restarts, pod, conditions);

    recordTransition(run, current, resolution);
    UpdateControl<DistillationRun> control =
        current != null
                && !StatusDiff.significantlyDifferent(OperatorStatus.ownedPartOf(current), desired)
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(statusOnly(run, desired));
    return requeue == null ? control : control.rescheduleAfter(requeue);
  }

  private void countRunsIn(Context<DistillationRun> context) {
    var cache = context.getPrimaryCache();
    metrics.countRunsFrom(
        cache::list, (namespace, name) -> cache.get(new ResourceID(name, namespace)));
    metrics.refreshRunPhases();
  }

  /**
   * A run whose checkpoint claim does not exist would leave its pod pending forever; it fails
   * instead, naming the claim, before any Job is created.
   */
  private Optional<String> missingCheckpointClaim(DistillationRun run) {
    var checkpoint = run.getSpec().getCheckpoint();
    String claim = checkpoint == null ? null : checkpoint.getClaimName();
    if (claim == null || claim.isBlank()) {
      return Optional.empty();
    }
    boolean exists =
        client
                .persistentVolumeClaims()
                .inNamespace(run.getMetadata().getNamespace())
                .withName(claim)
                .get()
            != null;
    return exists
        ? Optional.empty()
        : Optional.of(
            "spec.checkpoint.claimName: PersistentVolumeClaim "
                + claim
                + " not found in namespace "
                + run.getMetadata().getNamespace()
                + "; create it, then delete and re-apply the run");
  }

  /**
   * Deleting a run: owned objects go with it through owner references; checkpoints on the claim
   * stay unless {@code retentionPolicy: Delete}, in which case a cleanup Job removes the run's
   * checkpoint directory before the finalizer lets the run go.
   */
  @Override
  public DeleteControl cleanup(DistillationRun run, Context<DistillationRun> context) {
    countRunsIn(context);
    if (!CheckpointCleanupJobFactory.wanted(run)) {
      return DeleteControl.defaultDelete();
    }
    Optional<String> target = CheckpointCleanupJobFactory.target(run);
    if (target.isEmpty()) {
      events.warning(
          run,
          "CheckpointsRetained",
          "spec.checkpoint.path "
              + run.getSpec().getCheckpoint().getPath()
              + " is not a directory inside the claim; nothing was deleted");
      return DeleteControl.defaultDelete();
    }
    String name = CheckpointCleanupJobFactory.jobName(run);
    Optional<Job> cleanup = jobOf(context, name);
    if (cleanup.isEmpty()) {
      Job job = CheckpointCleanupJobFactory.build(run, target.get(), defaults);
      try {
        client.resource(job).create();
        events.normal(run, "DeletingCheckpoints", "Job " + name + " removes " + target.get());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(WAIT_FOR_DELETION);
    }
    if (JobFacts.isComplete(cleanup.get())) {
      return DeleteControl.defaultDelete();
    }
    if (JobFacts.failure(cleanup.get()).isPresent()) {
      // Never hold a deletion hostage: report and let the run go; the data stays on the claim.
      events.warning(
          run, "CheckpointCleanupFailed", "Job " + name + " failed; checkpoints may remain");
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(WAIT_FOR_DELETION);
  }

  private Job startAttempt(DistillationRun run, int attempt) {
    Job job = TrainerJobFactory.build(run, attempt, defaults);
    new TrainerResources(client).apply(run);
    try {
      Job created = client.resource(job).create();
      events.normal(
          run,
          "AttemptStarted",
          "created Job " + job.getMetadata().getName() + " for attempt " + attempt);
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // A previous operator instance created it before it went down: the name is deterministic.
        LOG.info("Job {} already exists", job.getMetadata().getName());
        return client.resource(job).get();
      }
      throw e;
    }
  }

  private void suspendAttempt(DistillationRun run, Job job) {
    // Deleting the Job sends SIGTERM to the trainer, which checkpoints before it exits; resuming
    // starts the same attempt again from that checkpoint, so suspension costs no retry budget.
    client
        .resource(job)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .withGracePeriod(TrainerJobFactory.TERMINATION_GRACE_SECONDS)
        .delete();
    events.normal(
        run,
        "Suspending",
        "deleted Job " + job.getMetadata().getName() + "; the trainer checkpoints before it stops");
  }

  /** Zero when the next attempt may start; otherwise how long its backoff still runs. */
  private Duration backoffRemaining(
      DistillationRun run, Context<DistillationRun> context, RestartsStatus restarts) {
    if (restarts.getTotal() == 0) {
      return Duration.ZERO;
    }
    Instant failedAt =
        jobOf(context, TrainerJobFactory.jobName(run, restarts.getTotal()))
            .flatMap(JobFacts::failure)
            .map(c -> c.getLastTransitionTime())
            .filter(Objects::nonNull)
            .map(Instant::parse)
            .orElse(Instant.EPOCH);
    Instant due = retryPolicy.retryDueAt(failedAt, restarts.getTotal());
    Instant now = clock.instant();
    return due.isAfter(now) ? Duration.between(now, due) : Duration.ZERO;
  }

  private void recordTransition(
      DistillationRun run, DistillationRunStatus current, PhaseResolution resolution) {
    RunPhase from = current == null ? null : current.getPhase();
    if (from != resolution.phase()) {
      metrics.transition(run, from, resolution.phase());
      String message =
          "phase "
              + (from == null ? "none" : from)
              + " -> "
              + resolution.phase()
              + ": "
              + resolution.message();
      if (resolution.phase() == RunPhase.Failed) {
        events.warning(run, resolution.reason(), message);
      } else {
        events.normal(run, resolution.reason(), message);
      }
    }
    String seen =
        current == null || current.getCheckpoint() == null
            ? null
            : current.getCheckpoint().getLatest();
    String recorded = current == null ? null : checkpointInConditions(current);
    if (seen != null && !seen.equals(recorded)) {
      events.normal(run, "CheckpointSaved", "trainer wrote checkpoint " + seen);
    }
  }

  /** The checkpoint named by the CheckpointSaved condition the operator last wrote. */
  private static String checkpointInConditions(DistillationRunStatus status) {
    return status.getConditions() == null
        ? null
        : status.getConditions().stream()
            .filter(c -> "CheckpointSaved".equals(c.getType()) && "True".equals(c.getStatus()))
            .map(c -> c.getMessage())
            .filter(Objects::nonNull)
            .map(m -> m.startsWith("latest checkpoint ") ? m.substring(18).split(" ")[0] : null)
            .findFirst()
            .orElse(null);
  }

  private static Optional<Job> jobOf(Context<DistillationRun> context, String name) {
    return context.getSecondaryResources(Job.class).stream()
        .filter(j -> name.equals(j.getMetadata().getName()))
        .findFirst();
  }

  private static Optional<Pod> newestPod(Context<DistillationRun> context, Job job) {
    String name = job.getMetadata().getName();
    return context.getSecondaryResources(Pod.class).stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && name.equals(p.getMetadata().getLabels().get(JOB_NAME_LABEL)))
        .max(
            Comparator.comparing(
                p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), "")));
  }

  private static boolean isDeleting(Job job) {
    return job.getMetadata().getDeletionTimestamp() != null;
  }

  private static int maxRestarts(DistillationRun run) {
    return Objects.requireNonNullElse(run.getSpec().getMaxRestarts(), 3);
  }

  /** A fresh object carrying only what the operator owns, for server-side apply. */
  private static DistillationRun statusOnly(DistillationRun run, DistillationRunStatus status) {
    DistillationRun fresh = new DistillationRun();
    fresh.getMetadata().setName(run.getMetadata().getName());
    fresh.getMetadata().setNamespace(run.getMetadata().getNamespace());
    fresh.setStatus(status);
    return fresh;
  }
}
