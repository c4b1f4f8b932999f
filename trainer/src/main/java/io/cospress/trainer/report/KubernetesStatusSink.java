package io.cospress.trainer.report;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports into the run's status subresource by server-side apply under the trainer's own field
 * manager, sending only the fields the trainer owns (progress, metrics, checkpoint) on a fresh
 * object, so the operator's phase and conditions are never touched (docs/status-model.md). A failed
 * report is logged and thrown to the caller, a {@link BackgroundSink} that retries it off the
 * training thread: status is a view, the checkpoints are the truth.
 */
public final class KubernetesStatusSink implements StatusSink {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusSink.class);
  private static final PatchContext APPLY =
      new PatchContext.Builder()
          .withPatchType(PatchType.SERVER_SIDE_APPLY)
          .withFieldManager(CosPressConstants.FIELD_MANAGER_TRAINER)
          .withForce(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private int failures;
  private int lastFailureCode;

  public KubernetesStatusSink(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  @Override
  public void report(TrainerReport report, boolean milestone) {
    DistillationRun fresh = new DistillationRun();
    fresh.getMetadata().setName(name);
    fresh.getMetadata().setNamespace(namespace);
    fresh.setStatus(ownedFields(report));
    try {
      client.resource(fresh).subresource("status").patch(APPLY);
      failures = 0;
      lastFailureCode = 0;
    } catch (KubernetesClientException e) {
      // Log the first failure of a streak, every change of cause and then every tenth, not every
      // step.
      if (failures++ % 10 == 0 || e.getCode() != lastFailureCode) {
        if (rejected(e.getCode())) {
          LOG.warn(
              "status report for {}/{} rejected by the API server (HTTP {}), later reports are"
                  + " still sent: {}",
              namespace,
              name,
              e.getCode(),
              e.getMessage());
        } else {
          LOG.warn(
              "cannot report status of {}/{} (HTTP {}), retrying: {}",
              namespace,
              name,
              e.getCode(),
              e.getMessage());
        }
      }
      lastFailureCode = e.getCode();
      throw e;
    }
  }

  /** The API server answered and refused this report (as opposed to not answering in time). */
  static boolean rejected(int code) {
    return code >= 400 && code < 500 && code != 408 && code != 429;
  }

  static DistillationRunStatus ownedFields(TrainerReport report) {
    return TrainerStatusFields.of(report);
  }

  @Override
  public void close() {
    client.close();
  }
}
