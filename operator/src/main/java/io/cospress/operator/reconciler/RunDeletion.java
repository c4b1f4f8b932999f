package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.event.RunEvents;
import io.cospress.operator.job.CheckpointCleanupJobFactory;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.status.JobFacts;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Deleting a run: owned objects go with it through owner references; checkpoints on the claim stay
 * unless {@code retentionPolicy: Delete}. Then the run's trainer is stopped first ({@link
 * TrainerStop}: it writes a checkpoint on SIGTERM, which must not land after the cleanup), a
 * cleanup Job removes the run's checkpoint directory, and only then does the finalizer let the run
 * go. Every step is a look that reschedules itself; none blocks a thread.
 */
final class RunDeletion {

  /** How often to look at a trainer that is stopping or a cleanup Job that is still running. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final TrainerDefaults defaults;
  private final RunEvents events;
  private final TrainerStop trainerStop;

  RunDeletion(KubernetesClient client, TrainerDefaults defaults, RunEvents events, Clock clock) {
    this.client = client;
    this.defaults = defaults;
    this.events = events;
    this.trainerStop = new TrainerStop(client, events, clock);
  }

  DeleteControl cleanup(DistillationRun run, Context<DistillationRun> context) {
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
    Optional<Job> cleanup = RunObserver.jobOf(context, name);
    if (cleanup.isEmpty()) {
      Optional<Duration> stopping = trainerStop.untilStopped(run, context, RECHECK);
      if (stopping.isPresent()) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(stopping.get());
      }
      Job job = CheckpointCleanupJobFactory.build(run, target.get(), defaults);
      try {
        // Into the cache at once, so the next look finds it rather than judging the trainer again.
        DistillationRunReconciler.remember(client.resource(job).create(), run, context);
        events.normal(run, "DeletingCheckpoints", "Job " + name + " removes " + target.get());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
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
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
  }
}
