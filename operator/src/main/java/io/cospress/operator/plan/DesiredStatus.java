package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * The operator-owned status a reconciliation applies, from what it resolved: one place, so every
 * caller (the reconciler, and tests that check what GitOps tools read from it) builds it alike.
 */
public final class DesiredStatus {

  private DesiredStatus() {}

  /**
   * @param run the run as observed; its current conditions and checkpoint feed the new conditions
   * @param resolution the phase, reason and message this reconciliation resolved
   * @param restarts the restart counts after this reconciliation's retry decision
   * @param pod the newest pod of the current attempt, or null
   */
  public static DistillationRunStatus of(
      DistillationRun run,
      PhaseResolution resolution,
      RestartsStatus restarts,
      Pod pod,
      ConditionsUpdater conditions) {
    DistillationRunStatus current = run.getStatus();
    int attempt = restarts.getTotal() + 1;
    long generation = Objects.requireNonNullElse(run.getMetadata().getGeneration(), 1L);
    return OperatorStatus.builder()
        .resolution(resolution)
        .conditions(
            conditions.update(
                current == null ? null : current.getConditions(),
                resolution,
                pod,
                current == null ? null : current.getCheckpoint(),
                generation))
        .observedGeneration(generation)
        .attempt(attempt)
        .jobName(TrainerJobFactory.jobName(run, attempt))
        .restarts(restarts)
        .build();
  }
}
