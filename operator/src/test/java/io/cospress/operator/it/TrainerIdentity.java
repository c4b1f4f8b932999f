package io.cospress.operator.it;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/** Acting as a run's trainer: authenticated by nothing but a token of the run's ServiceAccount. */
final class TrainerIdentity {

  private TrainerIdentity() {}

  /** A client with a fresh token of {@code <run>-trainer}, as the kubelet projects into the pod. */
  static KubernetesClient clientOf(String namespace, String run) {
    return new KubernetesClientBuilder()
        .withConfig(
            Config.fromKubeconfig(ApiServer.get().tokenKubeconfig(namespace, run + "-trainer")))
        .build();
  }

  /** A status write exactly as the trainer's sink makes it: apply, own manager, fresh object. */
  static void applyProgress(KubernetesClient client, String namespace, String run, String epochs) {
    DistillationRun fresh = new DistillationRun();
    fresh.getMetadata().setName(run);
    fresh.getMetadata().setNamespace(namespace);
    DistillationRunStatus status = new DistillationRunStatus();
    status.setConditions(null);
    ProgressStatus progress = new ProgressStatus();
    progress.setEpochs(epochs);
    status.setProgress(progress);
    fresh.setStatus(status);
    client
        .resource(fresh)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(CosPressConstants.FIELD_MANAGER_TRAINER)
                .withForce(true)
                .build());
  }
}
