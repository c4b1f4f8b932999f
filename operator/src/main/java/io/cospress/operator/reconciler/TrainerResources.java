package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TrainerManifestConfigMap;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The objects a trainer attempt needs before its Job: the manifest ConfigMap and the per-run
 * ServiceAccount, Role and RoleBinding. Applied server-side under the operator's field manager, so
 * re-applying is idempotent and repairs drift.
 */
final class TrainerResources {

  private final KubernetesClient client;

  TrainerResources(KubernetesClient client) {
    this.client = client;
  }

  void apply(DistillationRun run) {
    List<HasMetadata> objects =
        List.of(
            TrainerManifestConfigMap.build(run),
            TrainerRbac.serviceAccount(run),
            TrainerRbac.role(run),
            TrainerRbac.roleBinding(run));
    for (HasMetadata object : objects) {
      client
          .resource(object)
          .fieldManager(CosPressConstants.FIELD_MANAGER_OPERATOR)
          .forceConflicts()
          .serverSideApply();
    }
  }
}
