package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.plan.RunAction.EmitEvent;
import io.cospress.operator.status.ConditionTypes;
import io.cospress.operator.status.KubernetesSignals;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.StatusReasons;
import java.util.List;

/** What a plan tells people and metrics about a change: events and transition counts. */
final class Announcements {

  private Announcements() {}

  /**
   * Events and metrics for what changed since the observed status: a new phase, a run that just
   * stalled, a checkpoint the trainer wrote. Returns the checkpoint announced so far.
   */
  static String add(
      DistillationRunStatus current, PhaseResolution resolution, List<RunAction> actions) {
    RunPhase from = current == null ? null : current.getPhase();
    if (from != resolution.phase()) {
      actions.add(new RunAction.CountTransition(from, resolution.phase()));
      String message =
          "phase "
              + (from == null ? "none" : from)
              + " -> "
              + resolution.phase()
              + ": "
              + resolution.message();
      actions.add(
          resolution.phase() == RunPhase.Failed
              ? EmitEvent.warning(resolution.reason(), message)
              : EmitEvent.normal(resolution.reason(), message));
    }
    if (resolution.stalled() && !wasStalled(current)) {
      actions.add(EmitEvent.warning(StatusReasons.STALLED, resolution.message()));
    }
    String latest =
        current == null || current.getCheckpoint() == null
            ? null
            : current.getCheckpoint().getLatest();
    String announced = current == null ? null : current.getAnnouncedCheckpoint();
    if (latest != null && !latest.isBlank() && !latest.equals(announced)) {
      actions.add(EmitEvent.normal("CheckpointSaved", "trainer wrote checkpoint " + latest));
      return latest;
    }
    return announced;
  }

  static boolean wasStalled(DistillationRunStatus status) {
    return status != null
        && status.getConditions() != null
        && status.getConditions().stream()
            .anyMatch(
                c ->
                    ConditionTypes.STALLED.equals(c.getType())
                        && KubernetesSignals.TRUE.equals(c.getStatus()));
  }
}
