package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.plan.RunObservation;
import io.cospress.operator.plan.RunObservation.ClaimPresence;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.RestartCounts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Gathers a {@link RunObservation}: the attempt's Job and newest pod and the previous attempt's
 * failure time from the informer caches, and whether the checkpoint claim exists by one read when
 * an attempt could start (the only decision that needs it).
 */
final class RunObserver {

  private static final String JOB_NAME_LABEL = "job-name";

  private final KubernetesClient client;
  private final Clock clock;

  RunObserver(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  RunObservation observe(DistillationRun run, Context<DistillationRun> context) {
    RestartsStatus restarts = RestartCounts.of(run.getStatus());
    int attempt = restarts.getTotal() + 1;
    Job job = jobOf(context, TrainerJobFactory.jobName(run, attempt)).orElse(null);
    Pod pod = job == null ? null : newestPod(context, job).orElse(null);
    Instant previousFailure =
        restarts.getTotal() == 0
            ? null
            : jobOf(context, TrainerJobFactory.jobName(run, restarts.getTotal()))
                .flatMap(JobFacts::failure)
                .map(c -> c.getLastTransitionTime())
                .filter(Objects::nonNull)
                .map(Instant::parse)
                .orElse(null);
    return new RunObservation(
        run, job, pod, previousFailure, claimPresence(run, job), clock.instant());
  }

  static Optional<Job> jobOf(Context<DistillationRun> context, String name) {
    return context.getSecondaryResources(Job.class).stream()
        .filter(j -> name.equals(j.getMetadata().getName()))
        .findFirst();
  }

  private ClaimPresence claimPresence(DistillationRun run, Job job) {
    var checkpoint = run.getSpec().getCheckpoint();
    String claim = checkpoint == null ? null : checkpoint.getClaimName();
    if (claim == null || claim.isBlank()) {
      return ClaimPresence.NOT_REQUESTED;
    }
    DistillationRunStatus status = run.getStatus();
    boolean mayStart =
        job == null
            && !Boolean.TRUE.equals(run.getSpec().getSuspend())
            && (status == null || status.getPhase() == null || !status.getPhase().isTerminal());
    if (!mayStart) {
      return ClaimPresence.NOT_CHECKED;
    }
    boolean exists =
        client
                .persistentVolumeClaims()
                .inNamespace(run.getMetadata().getNamespace())
                .withName(claim)
                .get()
            != null;
    return exists ? ClaimPresence.PRESENT : ClaimPresence.MISSING;
  }

  private static Optional<Pod> newestPod(Context<DistillationRun> context, Job job) {
    String name = job.getMetadata().getName();
    return context.getSecondaryResources(Pod.class).stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && name.equals(p.getMetadata().getLabels().get(JOB_NAME_LABEL)))
        .max(
            Comparator.comparing(
                p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), "")));
  }
}
