package io.cospress.operator.reconciler.dependent;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.job.TrainerManifestConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ConfigMap holding the run's manifest for its trainer pods. */
@KubernetesDependent(informer = @Informer(labelSelector = TrainerLabels.MANAGED_SELECTOR))
public final class TrainerManifestDependent extends PrunedCacheDependent<ConfigMap> {

  public TrainerManifestDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(DistillationRun run, Context<DistillationRun> context) {
    return TrainerManifestConfigMap.build(run);
  }
}
