package io.cospress.operator.job;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.ResourcesSpec;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the batch/v1 Job that runs one attempt of a DistillationRun. Pure: it reads the run and
 * makes no API calls, so the same run and attempt always give the same Job.
 *
 * <p>The Job is a one-shot wrapper around a single pod. {@code backoffLimit} is 0 because the
 * operator owns retries (docs/failure-semantics.md): it counts restarts by cause, backs off, and
 * resumes from the latest checkpoint in a new attempt with a new Job, which a Job-level retry could
 * not do. Finished Jobs are kept (no TTL) so the operator can read why an attempt ended; the run's
 * owner reference removes them with the run.
 *
 * <p>With {@code spec.queueName} set, the Job carries Kueue's queue label and is created suspended:
 * Kueue admits it by clearing {@code suspend} once the queue has quota. The returned object is
 * therefore the desired state at creation; the operator must not later write {@code spec.suspend}
 * of a queued Job back to true, or it would take the admission away again.
 */
public final class TrainerJobFactory {

  /**
   * Longer than the trainer's own shutdown grace (120 s, {@code RunCommand}) so the SIGTERM
   * checkpoint of a suspended, preempted or drained pod can finish before the kubelet kills it.
   */
  public static final long TERMINATION_GRACE_SECONDS = 180;

  /**
   * The non-root user and group of the trainer image; as fsGroup it also owns new files on the
   * checkpoint claim, so every attempt can read what earlier ones wrote.
   */
  public static final long TRAINER_UID = 10001;

  private TrainerJobFactory() {}

  /**
   * The name of the Job for an attempt: {@code <run-name>-a<attempt>}, shortened with a hash of the
   * run name when it would not fit a DNS label (see {@link KubernetesNames#dnsLabel}).
   */
  public static String jobName(DistillationRun run, int attempt) {
    return KubernetesNames.dnsLabel(run.getMetadata().getName(), "-a" + attempt);
  }

  /**
   * The Job of attempt {@code attempt} (1 for the first) of {@code run}.
   *
   * @throws InvalidRunSpecException if the run's CPU or memory is not a positive quantity
   */
  public static Job build(DistillationRun run, int attempt, TrainerDefaults defaults) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts start at 1, got " + attempt);
    }
    String queueName = queueName(run);
    Map<String, String> labels = TrainerLabels.forAttempt(run, attempt);
    if (queueName != null) {
      labels.put(CosPressConstants.KUEUE_QUEUE_LABEL, queueName);
    }
    return new JobBuilder()
        .withNewMetadata()
        .withName(jobName(run, attempt))
        .withNamespace(run.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(RunOwnerReference.controllerOf(run))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withCompletions(1)
        .withParallelism(1)
        .withSuspend(queueName != null ? Boolean.TRUE : null)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(new LinkedHashMap<>(labels))
        .withAnnotations(podAnnotations(run))
        .endMetadata()
        .withSpec(podSpec(run, attempt, defaults))
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PodSpec podSpec(DistillationRun run, int attempt, TrainerDefaults defaults) {
    ResourcesSpec resources = TrainerResources.of(run.getSpec(), defaults);
    return new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withServiceAccountName(TrainerRbac.serviceAccountName(run))
        // The one reason a token is mounted: the trainer patches its run's status itself, with a
        // Role limited to that run (docs/status-model.md, docs/security.md).
        .withAutomountServiceAccountToken(true)
        // A namespace with many Services would otherwise fill the environment with their
        // addresses; the trainer talks only to the API server.
        .withEnableServiceLinks(false)
        .withPriorityClassName(blankToNull(resources.getPriorityClassName()))
        .withNodeSelector(copyOrNull(resources.getNodeSelector()))
        .withTolerations(resources.getTolerations())
        .withAffinity(copyOrNull(resources.getAffinity()))
        .withSecurityContext(podSecurityContext())
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withContainers(TrainerContainerFactory.build(run, attempt, defaults))
        .withVolumes(TrainerVolumes.volumes(run))
        .build();
  }

  static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(TRAINER_UID)
        .withRunAsGroup(TRAINER_UID)
        .withFsGroup(TRAINER_UID)
        // A checkpoint claim accumulates many files; re-owning all of them on every attempt
        // would delay each start, and only the root's ownership matters for new files.
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static Map<String, String> podAnnotations(DistillationRun run) {
    Map<String, String> annotations = new LinkedHashMap<>();
    // Pods are owned by their Job; these let the operator map a pod event to its run.
    annotations.put(Mappers.DEFAULT_ANNOTATION_FOR_NAME, run.getMetadata().getName());
    annotations.put(Mappers.DEFAULT_ANNOTATION_FOR_NAMESPACE, run.getMetadata().getNamespace());
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", Integer.toString(CosPressConstants.TRAINER_METRICS_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    return annotations;
  }

  private static String queueName(DistillationRun run) {
    return blankToNull(run.getSpec().getQueueName());
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static Map<String, String> copyOrNull(Map<String, String> map) {
    return map == null || map.isEmpty() ? null : new LinkedHashMap<>(map);
  }

  private static Affinity copyOrNull(Affinity affinity) {
    return affinity == null ? null : new AffinityBuilder(affinity).build();
  }
}
