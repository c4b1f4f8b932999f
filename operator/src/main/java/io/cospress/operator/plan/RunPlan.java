package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link RunPlanner} decided for one reconciliation.
 *
 * @param status the complete operator-owned status the run should have once the actions are done
 * @param statusChanged whether it differs from the observed one enough to be written
 * @param actions side effects to carry out in order, before the status is written
 * @param requeueAfter when to look at the run again without an event (a backoff or a pending limit
 *     running out, a Job still going away), or null
 */
public record RunPlan(
    DistillationRunStatus status,
    boolean statusChanged,
    List<RunAction> actions,
    Duration requeueAfter) {

  public RunPlan {
    Objects.requireNonNull(status, "status");
    actions = List.copyOf(actions);
  }

  public Optional<Duration> requeue() {
    return Optional.ofNullable(requeueAfter);
  }

  /** The actions of one type, for tests and logs. */
  public <T extends RunAction> List<T> actionsOf(Class<T> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
