package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.event.RunEvents;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.PodFacts;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops a deleted run's trainer before anything removes its checkpoints. The trainer writes a
 * checkpoint when it gets SIGTERM, so removing the checkpoint directory while it still runs leaves
 * that checkpoint behind. Left to owner references, the trainer's Job and pod would go only after
 * the run itself, that is after the cleanup; so its Jobs are deleted first (the garbage collector
 * then stops their pods gracefully), and the run's trainer pods, found by the run's label rather
 * than through a Job that may already be gone, are waited for without blocking a thread.
 *
 * <p>The wait is bounded, so a pod that never goes away (a node that stopped reporting) never holds
 * the deletion hostage: each live pod gets its grace period plus {@link #MARGIN}, counted from its
 * deletion timestamp, or from when the stop was requested while the garbage collector has not
 * reached it yet.
 */
final class TrainerStop {

  /** How long past a pod's grace period the deletion still waits for it. */
  static final Duration MARGIN = Duration.ofSeconds(30);

  /** Kubernetes' default {@code terminationGracePeriodSeconds}. */
  private static final long DEFAULT_GRACE_SECONDS = 30;

  /** Where the wait for a run's trainer stands. */
  sealed interface Verdict {}

  /** No trainer pod of the run is running any more. */
  record Stopped() implements Verdict {}

  /** A trainer pod is still stopping; look again after {@code recheck}. */
  record Waiting(Duration recheck) implements Verdict {}

  /** These trainer pods outlived their grace period and the margin; go on without them. */
  record TimedOut(List<String> pods) implements Verdict {}

  private final KubernetesClient client;
  private final RunEvents events;
  private final Clock clock;

  /**
   * When this operator instance first asked each deleting run's trainer to stop, by run UID. A new
   * instance starts the count again, which only ever lengthens the wait.
   */
  private final Map<String, Instant> requested = new ConcurrentHashMap<>();

  TrainerStop(KubernetesClient client, RunEvents events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Deletes the run's trainer Jobs and reports whether a trainer pod of the run still runs.
   *
   * @return empty once none does (or the bounded wait is over); otherwise when to look again
   */
  Optional<Duration> untilStopped(
      DistillationRun run, Context<DistillationRun> context, Duration recheck) {
    String uid = run.getMetadata().getUid();
    Instant now = clock.instant();
    Instant since = requested.computeIfAbsent(uid, k -> now);
    List<String> deleted = deleteTrainerJobs(run, context);
    if (!deleted.isEmpty()) {
      events.normal(
          run,
          "StoppingTrainer",
          "deleted Job "
              + String.join(", ", deleted)
              + " so the trainer checkpoints and exits before its checkpoints are removed");
      // Judged on the next look, once the garbage collector has marked the pods for deletion.
      return Optional.of(recheck);
    }
    Verdict verdict = judge(trainerPods(run), since, now, recheck);
    if (verdict instanceof Waiting waiting) {
      return Optional.of(waiting.recheck());
    }
    requested.remove(uid);
    if (verdict instanceof TimedOut timedOut) {
      events.warning(
          run,
          "TrainerStopTimedOut",
          "trainer pod "
              + String.join(", ", timedOut.pods())
              + " is still there "
              + MARGIN.toSeconds()
              + "s after its grace period; removing the checkpoints anyway, and a checkpoint it"
              + " writes later stays on the claim");
    }
    return Optional.empty();
  }

  /**
   * Where the wait stands at {@code now}, for the run's trainer pods (finished ones count as
   * stopped) and the time the stop was requested.
   */
  static Verdict judge(List<Pod> pods, Instant requestedAt, Instant now, Duration recheck) {
    List<Pod> live = pods.stream().filter(p -> !PodFacts.hasFinished(p)).toList();
    if (live.isEmpty()) {
      return new Stopped();
    }
    Instant deadline = Instant.MIN;
    for (Pod pod : live) {
      Instant podDeadline = goneBy(pod, requestedAt).plus(MARGIN);
      deadline = podDeadline.isAfter(deadline) ? podDeadline : deadline;
    }
    if (!now.isBefore(deadline)) {
      return new TimedOut(live.stream().map(PodFacts::name).toList());
    }
    Duration left = Duration.between(now, deadline);
    return new Waiting(left.compareTo(recheck) < 0 ? left : recheck);
  }

  /**
   * When the kubelet should have stopped the pod: its deletion timestamp, which the API server sets
   * to the time of the request plus the grace period; until it is marked, the grace period from
   * {@code requestedAt}.
   */
  private static Instant goneBy(Pod pod, Instant requestedAt) {
    String deletion = pod.getMetadata() == null ? null : pod.getMetadata().getDeletionTimestamp();
    if (deletion != null) {
      try {
        return Instant.parse(deletion);
      } catch (DateTimeParseException e) {
        // fall through to the grace period
      }
    }
    Long grace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
    return requestedAt.plusSeconds(grace == null ? DEFAULT_GRACE_SECONDS : grace);
  }

  /**
   * Deletes the run's trainer Jobs that are neither finished nor going already; returns the names
   * of those it deleted. A finished Job starts no pod again, and its pods are left to the wait.
   */
  private List<String> deleteTrainerJobs(DistillationRun run, Context<DistillationRun> context) {
    List<String> deleted = new ArrayList<>();
    for (Job job : context.getSecondaryResources(Job.class)) {
      if (!isTrainer(job.getMetadata().getLabels())
          || job.getMetadata().getDeletionTimestamp() != null
          || JobFacts.isComplete(job)
          || JobFacts.failure(job).isPresent()) {
        continue;
      }
      String name = job.getMetadata().getName();
      boolean gone =
          !client
              .batch()
              .v1()
              .jobs()
              .inNamespace(run.getMetadata().getNamespace())
              .withName(name)
              .withPropagationPolicy(DeletionPropagation.BACKGROUND)
              .delete()
              .isEmpty();
      if (gone) {
        deleted.add(name);
      }
    }
    return deleted;
  }

  /**
   * The run's trainer pods, read from the API server rather than a cache, since what is decided
   * from them is whether data may be removed.
   */
  private List<Pod> trainerPods(DistillationRun run) {
    return client
        .pods()
        .inNamespace(run.getMetadata().getNamespace())
        .withLabel(CosPressConstants.LABEL_RUN, TrainerLabels.runLabelValue(run))
        .withLabel(CosPressConstants.LABEL_ATTEMPT)
        .list()
        .getItems();
  }

  /** Trainer Jobs and pods carry the attempt label; the cleanup Job does not. */
  private static boolean isTrainer(Map<String, String> labels) {
    return labels != null && labels.containsKey(CosPressConstants.LABEL_ATTEMPT);
  }
}
