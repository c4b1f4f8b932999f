package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.status.ConditionsUpdater;
import io.cospress.operator.status.OperatorStatus;
import io.cospress.operator.status.PhaseResolution;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/** The complete operator-owned status for what a plan resolved. */
final class DesiredStatus {

  private DesiredStatus() {}

  /**
   * @param run the run as observed; its current conditions and checkpoint feed the new conditions
   * @param resolution the phase, reason and message this reconciliation resolved
   * @param restarts the restart counts after this reconciliation's retry decision
   * @param pod the newest pod of the current attempt, or null
   * @param announcedCheckpoint the trainer checkpoint announced so far, or null
   */
  static DistillationRunStatus of(
      DistillationRun run,
      PhaseResolution resolution,
      RestartsStatus restarts,
      Pod pod,
      String announcedCheckpoint,
      ConditionsUpdater conditions) {
    DistillationRunStatus current = run.getStatus();
    int attempt = restarts.getTotal() + 1;
    long generation = generationOf(run);
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
        .announcedCheckpoint(announcedCheckpoint)
        .build();
  }

  static long generationOf(DistillationRun run) {
    return Objects.requireNonNullElse(run.getMetadata().getGeneration(), 1L);
  }
}
