package io.cospress.operator.status;

import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tells whether two statuses differ in a way worth a status patch.
 *
 * <p>Only the operator-owned fields are compared; the trainer's progress, metrics and checkpoint
 * change on their own schedule and are not the operator's to write. Conditions are matched by type,
 * so their order does not matter, and {@code lastTransitionTime} is ignored: it only moves together
 * with a status value, which is compared, and ignoring it means a status recomputed from an older
 * copy of the run does not trigger a patch just because the clock moved.
 */
public final class StatusDiff {

  private StatusDiff() {}

  /** Whether the operator-owned parts of {@code a} and {@code b} differ beyond timestamps. */
  public static boolean significantlyDifferent(DistillationRunStatus a, DistillationRunStatus b) {
    if (a == null || b == null) {
      return a != b;
    }
    return a.getPhase() != b.getPhase()
        || !Objects.equals(a.getReason(), b.getReason())
        || !Objects.equals(a.getMessage(), b.getMessage())
        || !Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        || !Objects.equals(a.getAttempt(), b.getAttempt())
        || !Objects.equals(a.getJobName(), b.getJobName())
        || !Objects.equals(a.getAnnouncedCheckpoint(), b.getAnnouncedCheckpoint())
        || !sameRestarts(a.getRestarts(), b.getRestarts())
        || !sameConditions(a.getConditions(), b.getConditions());
  }

  private static boolean sameRestarts(RestartsStatus a, RestartsStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.getTotal(), b.getTotal())
        && Objects.equals(a.getApplicationError(), b.getApplicationError())
        && Objects.equals(a.getPreemption(), b.getPreemption())
        && Objects.equals(a.getNodeLoss(), b.getNodeLoss());
  }

  private static boolean sameConditions(List<Condition> a, List<Condition> b) {
    Map<String, ConditionContent> left = byType(a);
    return left.equals(byType(b));
  }

  private static Map<String, ConditionContent> byType(List<Condition> conditions) {
    Map<String, ConditionContent> byType = new HashMap<>();
    if (conditions != null) {
      for (Condition c : conditions) {
        byType.putIfAbsent(
            c.getType(),
            new ConditionContent(
                c.getStatus(), c.getReason(), c.getMessage(), c.getObservedGeneration()));
      }
    }
    return byType;
  }

  /** The parts of a condition that matter for a patch. */
  private record ConditionContent(
      String status, String reason, String message, Long observedGeneration) {}
}
