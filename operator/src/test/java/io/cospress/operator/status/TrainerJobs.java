package io.cospress.operator.status;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

/** Trainer Jobs in the states the tests need, shaped as the Job controller reports them. */
public final class TrainerJobs {

  public static final String JOB_NAME = "resnet-kd-a2";

  private TrainerJobs() {}

  /** A running Job with one active pod. */
  public static JobBuilder active() {
    return new JobBuilder()
        .withNewMetadata()
        .withName(JOB_NAME)
        .withNamespace("ml")
        .endMetadata()
        .withNewSpec()
        .withSuspend(false)
        .withBackoffLimit(0)
        .endSpec()
        .withNewStatus()
        .withActive(1)
        .endStatus();
  }

  /** A Job held back by spec.suspend, as Kueue creates it before admission. */
  public static Job suspendedByKueue(String queue) {
    return active()
        .editMetadata()
        .addToLabels(CosPressConstants.KUEUE_QUEUE_LABEL, queue)
        .endMetadata()
        .editSpec()
        .withSuspend(true)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Suspended")
        .withStatus("True")
        .withReason("JobSuspended")
        .withMessage("Job suspended")
        .endCondition()
        .endStatus()
        .build();
  }

  public static Job complete() {
    return withCondition("Complete", null, null);
  }

  public static Job failed(String reason, String message) {
    return withCondition("Failed", reason, message);
  }

  private static Job withCondition(String type, String reason, String message) {
    return active()
        .withNewStatus()
        .withActive(0)
        .addNewCondition()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .endCondition()
        .endStatus()
        .build();
  }
}
