package io.cospress.operator.status;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Map;
import java.util.Optional;

/** Null-tolerant reads of a Job's spec and status. */
public final class JobFacts {

  private JobFacts() {}

  public static String name(Job job) {
    return job.getMetadata() == null ? "" : job.getMetadata().getName();
  }

  public static Optional<JobCondition> trueCondition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && KubernetesSignals.TRUE.equals(c.getStatus()))
        .findFirst();
  }

  public static boolean isComplete(Job job) {
    return trueCondition(job, KubernetesSignals.JOB_COMPLETE).isPresent();
  }

  /**
   * Failed, or about to be: since Kubernetes 1.31 the Job controller first adds FailureTarget,
   * terminates the remaining pods, and only then adds Failed. The verdict is final at
   * FailureTarget.
   */
  public static Optional<JobCondition> failure(Job job) {
    return trueCondition(job, KubernetesSignals.JOB_FAILED)
        .or(() -> trueCondition(job, KubernetesSignals.JOB_FAILURE_TARGET));
  }

  /**
   * Whether the Job is held back by {@code spec.suspend}. The Suspended condition lags the spec by
   * one Job controller sync, so the spec decides; the condition covers a Job read without it.
   */
  public static boolean isSuspended(Job job) {
    boolean specSuspended =
        job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend());
    return specSuspended || trueCondition(job, KubernetesSignals.JOB_SUSPENDED).isPresent();
  }

  public static int active(Job job) {
    Integer active = job.getStatus() == null ? null : job.getStatus().getActive();
    return active == null ? 0 : active;
  }

  /** The Kueue LocalQueue named by the Job's label, if Kueue manages it. */
  public static Optional<String> kueueQueue(Job job) {
    Map<String, String> labels = job.getMetadata() == null ? null : job.getMetadata().getLabels();
    if (labels == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(labels.get(CosPressConstants.KUEUE_QUEUE_LABEL))
        .filter(q -> !q.isBlank());
  }
}
