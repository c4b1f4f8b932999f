package io.cospress.operator.reconciler.dependent;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ServiceAccount the run's trainer pods run as. */
@KubernetesDependent(informer = @Informer(labelSelector = TrainerLabels.MANAGED_SELECTOR))
public final class TrainerServiceAccountDependent extends PrunedCacheDependent<ServiceAccount> {

  public TrainerServiceAccountDependent() {
    super(ServiceAccount.class);
  }

  @Override
  protected ServiceAccount desired(DistillationRun run, Context<DistillationRun> context) {
    return TrainerRbac.serviceAccount(run);
  }

  @Override
  public Matcher.Result<ServiceAccount> match(
      ServiceAccount actual,
      ServiceAccount desired,
      DistillationRun run,
      Context<DistillationRun> context) {
    return Matcher.Result.computed(OwnedFields.metadataMatches(actual, desired), desired);
  }
}
