package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.plan.RunObservation;
import io.cospress.operator.plan.RunObservation.ClaimPresence;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.RestartCounts;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Gathers a {@link RunObservation}: the attempt's Job and newest pod and the previous attempt's
 * failure time from the informer caches, and whether the checkpoint claim exists by one read when
 * an attempt could start (the only decision that needs it).
 *
 * <p>The pod is found by the Job controller's {@code job-name} label, which holds the attempt's Job
 * name, not through the Job object: a pod outlives its Job when the Job is deleted to suspend the
 * run (the garbage collector then stops the pod, which checkpoints for up to its grace period), and
 * the status must say Suspending until that pod has exited. While the Job exists, only its own pods
 * count, so a pod left from an earlier Job of the same name is never taken for the new one's.
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
    String jobName = TrainerJobFactory.jobName(run, attempt);
    Job job = jobOf(context, jobName).orElse(null);
    Pod pod = newestPod(context, jobName, job).orElse(null);
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

  /**
   * The newest pod labelled with {@code jobName}: of the Job {@code job} when it exists, of any Job
   * of that name when it does not.
   */
  private static Optional<Pod> newestPod(
      Context<DistillationRun> context, String jobName, Job job) {
    String jobUid = job == null ? null : job.getMetadata().getUid();
    return context.getSecondaryResources(Pod.class).stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && jobName.equals(p.getMetadata().getLabels().get(JOB_NAME_LABEL)))
        .filter(p -> jobUid == null || ownedBy(p, jobUid))
        .max(
            Comparator.comparing(
                p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), "")));
  }

  private static boolean ownedBy(Pod pod, String uid) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> uid.equals(o.getUid()));
  }
}
