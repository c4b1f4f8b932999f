package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.operator.event.RunEvents;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.metrics.OperatorMetrics;
import io.cospress.operator.plan.FailedReconcile;
import io.cospress.operator.plan.RunPlan;
import io.cospress.operator.plan.RunPlanner;
import io.cospress.operator.reconciler.dependent.TrainerManifestDependent;
import io.cospress.operator.reconciler.dependent.TrainerRoleBindingDependent;
import io.cospress.operator.reconciler.dependent.TrainerRoleDependent;
import io.cospress.operator.reconciler.dependent.TrainerServiceAccountDependent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Observe, plan, act: {@link RunObserver} gathers what a decision needs, {@link RunPlanner} decides
 * the status and the actions, {@link ActionExecutor} carries the actions out, and the status is
 * written last, so it never claims what failed to happen. Before that, JOSDK applies the run's
 * dependent resources (its trainer's manifest and RBAC, see the {@code dependent} package).
 *
 * <p>A failed request ends up in {@link #updateErrorStatus}: the status then says what failed
 * ({@link FailedReconcile}) and JOSDK retries with backoff.
 */
// The periodic reconciliation is a safety net for a missed event, and a heartbeat: with any run
// present the operator reconciles at least every five minutes, which the chart's
// CosPressOperatorNotReconciling alert relies on.
@ControllerConfiguration(
    name = DistillationRunReconciler.NAME,
    fieldManager = CosPressConstants.FIELD_MANAGER_OPERATOR,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
// Quick retries over about a minute (2 s, 4 s, ... 32 s); then the run is reported stalled and
// retried every SLOW_RETRY until a reconciliation succeeds.
@GradualRetry(
    maxAttempts = 5,
    initialInterval = 2000,
    intervalMultiplier = 2.0,
    maxInterval = 60_000)
// The RoleBinding waits for its Role: the API server resolves a binding's roleRef to check that
// the binder holds the role's permissions (RBAC escalation prevention), so binding a Role that is
// not there yet is refused with 404 unless the operator may "bind" any role, which it must not.
@Workflow(
    dependents = {
      @Dependent(type = TrainerManifestDependent.class),
      @Dependent(type = TrainerServiceAccountDependent.class),
      @Dependent(type = TrainerRoleDependent.class, name = DistillationRunReconciler.ROLE),
      @Dependent(
          type = TrainerRoleBindingDependent.class,
          dependsOn = DistillationRunReconciler.ROLE)
    })
public final class DistillationRunReconciler
    implements Reconciler<DistillationRun>, Cleaner<DistillationRun> {

  public static final String NAME = "distillationrun";

  /** The trainer Role's name in the workflow, for the RoleBinding to depend on. */
  static final String ROLE = "trainer-role";

  /** Name of the Job event source. */
  private static final String JOBS = "jobs";

  /** How often a run is retried once quick retries are used up. */
  static final Duration SLOW_RETRY = Duration.ofMinutes(2);

  private final RunObserver observer;
  private final RunPlanner planner;
  private final ActionExecutor executor;
  private final RunDeletion deletion;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public DistillationRunReconciler(
      KubernetesClient client,
      TrainerDefaults defaults,
      RunPlanner planner,
      OperatorMetrics metrics,
      Clock clock) {
    RunEvents events = new RunEvents(client, clock);
    this.observer = new RunObserver(client, clock);
    this.planner = planner;
    this.executor = new ActionExecutor(client, events, metrics);
    this.deletion = new RunDeletion(client, defaults, events, clock);
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, DistillationRun>> prepareEventSources(
      EventSourceContext<DistillationRun> context) {
    // The metrics read the runs from the controller's cache when scraped.
    metrics.countRunsFrom(context.getPrimaryCache()::list);
    // Jobs and pods are watched in the controller's namespaces (JOSDK's default).
    Set<String> namespaces =
        context.getControllerConfiguration().getInformerConfig().getNamespaces();
    InformerEventSource<Job, DistillationRun> jobs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, DistillationRun.class)
                .withName(JOBS)
                .withLabelSelector(TrainerLabels.MANAGED_SELECTOR)
                .withItemStore(
                    PruningStore.<Job>forNamespaces(namespaces, CachedObjects::job).orElse(null))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DistillationRun.class))
                .build(),
            context);
    // Pods are owned by their Job, not the run; the pod template carries the run's name.
    InformerEventSource<Pod, DistillationRun> pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, DistillationRun.class)
                .withName("pods")
                .withLabelSelector(TrainerLabels.MANAGED_SELECTOR)
                .withItemStore(
                    PruningStore.<Pod>forNamespaces(namespaces, CachedObjects::pod).orElse(null))
                .withSecondaryToPrimaryMapper(Mappers.fromDefaultAnnotations(DistillationRun.class))
                .build(),
            context);
    return List.of(jobs, pods);
  }

  @Override
  public UpdateControl<DistillationRun> reconcile(
      DistillationRun run, Context<DistillationRun> context) {
    RunPlan plan = planner.plan(observer.observe(run, context));
    executor.execute(run, plan.actions(), job -> remember(job, run, context));
    if (plan.statusChanged()) {
      // Patched here rather than through UpdateControl so the response goes into JOSDK's cache:
      // the reconciliation the new Job's event would otherwise start, or any other that comes
      // before the informer delivers this status, sees it and does not write it (and announce the
      // phase) a second time.
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(
          run, statusOnly(run, plan.status()), context);
    }
    UpdateControl<DistillationRun> control = UpdateControl.noUpdate();
    return plan.requeue().map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public ErrorStatusUpdateControl<DistillationRun> updateErrorStatus(
      DistillationRun run, Context<DistillationRun> context, Exception e) {
    boolean lastQuickRetry = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    Optional<DistillationRunStatus> status =
        FailedReconcile.status(run, ApiFailures.describe(e), lastQuickRetry, clock.instant());
    if (status.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    ErrorStatusUpdateControl<DistillationRun> control =
        ErrorStatusUpdateControl.patchStatus(statusOnly(run, status.get()));
    return lastQuickRetry ? control.rescheduleAfter(SLOW_RETRY) : control;
  }

  @Override
  public DeleteControl cleanup(DistillationRun run, Context<DistillationRun> context) {
    return deletion.cleanup(run, context);
  }

  /**
   * Puts a Job this reconciliation created into the Job informer's cache at once: the next
   * reconciliation sees it even before its watch event arrives, and that event, known to be our
   * own, starts no reconciliation of its own. It is trimmed as the informer trims what it caches,
   * so a reader sees the same fields whichever cache the Job comes from.
   */
  @SuppressWarnings("unchecked")
  static void remember(Job job, DistillationRun run, Context<DistillationRun> context) {
    CachedObjects.job(job);
    ((InformerEventSource<Job, DistillationRun>)
            context.eventSourceRetriever().getEventSourceFor(Job.class, JOBS))
        .handleRecentResourceCreate(ResourceID.fromResource(run), job);
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
