package io.cospress.operator.status;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Computes a run's conditions from its previous ones and what the reconciler resolved.
 *
 * <p>Phase to condition mapping, following the conventions kstatus and Argo CD read:
 *
 * <pre>
 * phase                   Ready  Reconciling  Stalled
 * Pending/Queued/Running  False  True         False
 * Pending, stalled        False  False        True
 * Suspended (Suspending)  False  True         False
 * Suspended               False  False        False
 * Succeeded               True   False        False
 * Failed                  False  False        True
 * </pre>
 *
 * <p>Reconciling and Stalled are never both True: kstatus takes whichever True one comes first in
 * the list, so both at once would make its answer depend on the order of the conditions.
 *
 * <p>All three carry the phase's reason and message, so any one of them explains the state. Every
 * condition records the generation it was computed for. {@code lastTransitionTime} moves only when
 * a condition's status changes; a new reason or message under the same status keeps the old time,
 * as the Kubernetes API conventions define it and tools that show "ready since" expect.
 *
 * <p>Every method returns a new list of new {@link Condition} objects and leaves its input alone,
 * because the input is usually the informer cache's copy of the run.
 */
public final class ConditionsUpdater {

  /** Upper bound of {@code metav1.Condition.message}. */
  static final int MAX_MESSAGE_LENGTH = 32768;

  /** Upper bound of {@code metav1.Condition.reason}. */
  static final int MAX_REASON_LENGTH = 1024;

  // metav1.Condition's reason pattern; anything else is stripped so the API server accepts it.
  private static final Pattern REASON_INVALID_CHARS = Pattern.compile("[^A-Za-z0-9_,:]");
  private static final String FALLBACK_REASON = "Unspecified";
  private static final String REASON_POD_SCHEDULED = "PodScheduled";
  private static final String REASON_CHECKPOINT_WRITTEN = "CheckpointWritten";
  private static final String REASON_NO_CHECKPOINT = "NoCheckpoint";

  private final Clock clock;

  public ConditionsUpdater(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * All operator conditions: Ready, Reconciling, Stalled, Scheduled, Training and CheckpointSaved.
   * Conditions of other types in {@code previous} are kept.
   *
   * @param previous the run's current conditions, or null
   * @param resolution the phase just resolved
   * @param pod the current trainer pod, or null
   * @param checkpoint the trainer's {@code status.checkpoint}, or null
   * @param generation the run's {@code metadata.generation}
   */
  public List<Condition> update(
      List<Condition> previous,
      PhaseResolution resolution,
      Pod pod,
      CheckpointStatus checkpoint,
      long generation) {
    List<Condition> conditions = withPhase(previous, resolution, generation);
    conditions = withScheduled(conditions, pod, resolution, generation);
    conditions = withTraining(conditions, pod, resolution, generation);
    return withCheckpointSaved(conditions, checkpoint, generation);
  }

  /** Ready, Reconciling and Stalled for the resolved phase (see the class table). */
  public List<Condition> withPhase(
      List<Condition> conditions, PhaseResolution resolution, long generation) {
    String reason = resolution.reason();
    String message = resolution.message();
    List<Condition> next =
        set(
            conditions,
            ConditionTypes.READY,
            resolution.phase() == RunPhase.Succeeded,
            reason,
            message,
            generation);
    next =
        set(
            next,
            ConditionTypes.RECONCILING,
            resolution.isReconciling(),
            reason,
            message,
            generation);
    return set(next, ConditionTypes.STALLED, resolution.isStalled(), reason, message, generation);
  }

  /**
   * Scheduled mirrors the pod's PodScheduled condition, keeping the scheduler's reason and message
   * when it is False. Without a pod it is False with the phase's reason, except on a finished run,
   * where the pod may have been cleaned up and the last observation is kept.
   */
  public List<Condition> withScheduled(
      List<Condition> conditions, Pod pod, PhaseResolution resolution, long generation) {
    Optional<PodCondition> podScheduled =
        pod == null ? Optional.empty() : PodFacts.condition(pod, KubernetesSignals.POD_SCHEDULED);
    if (podScheduled.isPresent()) {
      PodCondition scheduled = podScheduled.get();
      if (KubernetesSignals.TRUE.equals(scheduled.getStatus())) {
        String node = PodFacts.nodeName(pod);
        return set(
            conditions,
            ConditionTypes.SCHEDULED,
            true,
            REASON_POD_SCHEDULED,
            "trainer pod "
                + PodFacts.name(pod)
                + " is bound to node "
                + (node == null ? "?" : node),
            generation);
      }
      return set(
          conditions,
          ConditionTypes.SCHEDULED,
          false,
          orDefault(scheduled.getReason(), KubernetesSignals.UNSCHEDULABLE),
          orDefault(scheduled.getMessage(), "trainer pod " + PodFacts.name(pod) + " is not bound"),
          generation);
    }
    if (pod != null) {
      return set(
          conditions,
          ConditionTypes.SCHEDULED,
          false,
          StatusReasons.WAITING_FOR_SCHEDULER,
          "trainer pod " + PodFacts.name(pod) + " is waiting for the scheduler",
          generation);
    }
    Optional<Condition> last = find(conditions, ConditionTypes.SCHEDULED);
    if (resolution.phase().isTerminal() && last.isPresent()) {
      Condition kept = last.get();
      return set(
          conditions,
          ConditionTypes.SCHEDULED,
          KubernetesSignals.TRUE.equals(kept.getStatus()),
          kept.getReason(),
          kept.getMessage(),
          generation);
    }
    return set(
        conditions,
        ConditionTypes.SCHEDULED,
        false,
        resolution.reason(),
        resolution.message(),
        generation);
  }

  /**
   * Training is True while the run is Running on a pod in phase Running (including while it
   * checkpoints before a disruption), False otherwise; it carries the phase's reason and message.
   */
  public List<Condition> withTraining(
      List<Condition> conditions, Pod pod, PhaseResolution resolution, long generation) {
    boolean training =
        resolution.phase() == RunPhase.Running
            && pod != null
            && KubernetesSignals.PHASE_RUNNING.equals(PodFacts.phase(pod));
    return set(
        conditions,
        ConditionTypes.TRAINING,
        training,
        resolution.reason(),
        resolution.message(),
        generation);
  }

  /**
   * CheckpointSaved is True once the trainer reported a latest checkpoint in {@code
   * status.checkpoint}. Each new checkpoint updates the message but not the transition time, which
   * therefore says when the first checkpoint of the run appeared.
   */
  public List<Condition> withCheckpointSaved(
      List<Condition> conditions, CheckpointStatus checkpoint, long generation) {
    if (checkpoint == null || checkpoint.getLatest() == null || checkpoint.getLatest().isBlank()) {
      return set(
          conditions,
          ConditionTypes.CHECKPOINT_SAVED,
          false,
          REASON_NO_CHECKPOINT,
          "the trainer has not written a checkpoint yet",
          generation);
    }
    StringBuilder message = new StringBuilder("latest checkpoint ").append(checkpoint.getLatest());
    if (checkpoint.getEpoch() != null || checkpoint.getStep() != null) {
      message.append(" (epoch ").append(checkpoint.getEpoch());
      message.append(", step ").append(checkpoint.getStep()).append(')');
    }
    if (checkpoint.getTime() != null) {
      message.append(" written at ").append(checkpoint.getTime());
    }
    return set(
        conditions,
        ConditionTypes.CHECKPOINT_SAVED,
        true,
        REASON_CHECKPOINT_WRITTEN,
        message.toString(),
        generation);
  }

  /**
   * Sets one condition. An existing condition of the same type keeps its position and, if its
   * status does not change, its {@code lastTransitionTime}; otherwise the time is now.
   */
  public List<Condition> set(
      List<Condition> conditions,
      String type,
      boolean status,
      String reason,
      String message,
      long generation) {
    String statusValue = status ? KubernetesSignals.TRUE : KubernetesSignals.FALSE;
    List<Condition> next = new ArrayList<>();
    boolean replaced = false;
    for (Condition existing : conditions == null ? List.<Condition>of() : conditions) {
      if (!type.equals(existing.getType())) {
        next.add(new ConditionBuilder(existing).build());
        continue;
      }
      if (replaced) {
        continue; // a duplicate type is invalid in a map list; keep the first only
      }
      boolean unchanged = statusValue.equals(existing.getStatus());
      String since =
          unchanged && existing.getLastTransitionTime() != null
              ? existing.getLastTransitionTime()
              : now();
      next.add(condition(type, statusValue, reason, message, generation, since));
      replaced = true;
    }
    if (!replaced) {
      next.add(condition(type, statusValue, reason, message, generation, now()));
    }
    return next;
  }

  private static Condition condition(
      String type, String status, String reason, String message, long generation, String since) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(validReason(reason))
        .withMessage(validMessage(message))
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  private static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private String now() {
    // metav1.Time serialises to whole seconds; finer values would differ from what is read back.
    return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  static String validReason(String reason) {
    String cleaned = reason == null ? "" : REASON_INVALID_CHARS.matcher(reason).replaceAll("");
    if (cleaned.length() > MAX_REASON_LENGTH) {
      cleaned = cleaned.substring(0, MAX_REASON_LENGTH);
    }
    int start = 0;
    while (start < cleaned.length() && !Character.isLetter(cleaned.charAt(start))) {
      start++;
    }
    int end = cleaned.length();
    while (end > start && (cleaned.charAt(end - 1) == ',' || cleaned.charAt(end - 1) == ':')) {
      end--;
    }
    return start == end ? FALLBACK_REASON : cleaned.substring(start, end);
  }

  static String validMessage(String message) {
    if (message == null) {
      return "";
    }
    return message.length() <= MAX_MESSAGE_LENGTH
        ? message
        : message.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
