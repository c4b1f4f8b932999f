package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.RestartCounts;
import io.cospress.operator.status.StatusReasons;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The status of a run whose reconciliation failed on a Kubernetes API request (creating its Job,
 * applying its trainer's RBAC, ...). Without it the status would keep saying what the operator was
 * about to do, such as creating the Job, while it cannot.
 *
 * <p>The phase stays as it was (Pending for a new run): the failure is the operator's, not the
 * run's. Reason {@code ReconcileError} and the failure's message go to the status and to Ready,
 * Reconciling and Stalled. While the operator still retries quickly, Reconciling is True (kstatus:
 * InProgress); once it gives up retrying quickly, Stalled is True (kstatus: Failed, Argo CD:
 * Degraded) and stays so over its slow retries until a reconciliation succeeds. A finished run is
 * left alone: its outcome does not change because a later request failed.
 */
public final class FailedReconcile {

  private FailedReconcile() {}

  /**
   * @param failure what failed, for the message, e.g. "creating Job x failed: ..."
   * @param lastQuickRetry whether the operator now stops retrying quickly
   * @return the status to write, or empty to leave the status as it is
   */
  public static Optional<DistillationRunStatus> status(
      DistillationRun run, String failure, boolean lastQuickRetry, Instant now) {
    DistillationRunStatus current = run.getStatus();
    if (RunPlanner.isTerminal(current)) {
      return Optional.empty();
    }
    boolean stalled = lastQuickRetry || stalledByAnEarlierFailure(current);
    RunPhase phase =
        current == null || current.getPhase() == null ? RunPhase.Pending : current.getPhase();
    PhaseResolution resolution =
        new PhaseResolution(
            phase,
            StatusReasons.RECONCILE_ERROR,
            failure + (stalled ? "; retrying now and then" : "; retrying"),
            stalled);
    long generation = DesiredStatus.generationOf(run);
    RestartsStatus restarts = RestartCounts.of(current);
    int attempt = restarts.getTotal() + 1;
    ConditionsUpdater conditions = new ConditionsUpdater(Clock.fixed(now, ZoneOffset.UTC));
    // Server-side apply drops owned fields left out, so everything the operator owns is sent.
    DistillationRunStatus owned = OperatorStatus.ownedPartOf(current);
    return Optional.of(
        OperatorStatus.builder()
            .resolution(resolution)
            .conditions(conditions.withPhase(owned.getConditions(), resolution, generation))
            .observedGeneration(generation)
            .attempt(attempt)
            .jobName(TrainerJobFactory.jobName(run, attempt))
            .restarts(restarts)
            .announcedCheckpoint(owned.getAnnouncedCheckpoint())
            .build());
  }

  private static boolean stalledByAnEarlierFailure(DistillationRunStatus current) {
    return current != null
        && StatusReasons.RECONCILE_ERROR.equals(current.getReason())
        && Announcements.wasStalled(current);
  }
}
