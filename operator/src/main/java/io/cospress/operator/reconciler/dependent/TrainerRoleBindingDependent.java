package io.cospress.operator.reconciler.dependent;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Binds the trainer's Role to its ServiceAccount. */
@KubernetesDependent(informer = @Informer(labelSelector = TrainerLabels.MANAGED_SELECTOR))
public final class TrainerRoleBindingDependent extends PrunedCacheDependent<RoleBinding> {

  public TrainerRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding desired(DistillationRun run, Context<DistillationRun> context) {
    return TrainerRbac.roleBinding(run);
  }

  @Override
  public Matcher.Result<RoleBinding> match(
      RoleBinding actual,
      RoleBinding desired,
      DistillationRun run,
      Context<DistillationRun> context) {
    return Matcher.Result.computed(
        OwnedFields.metadataMatches(actual, desired)
            && sameRoleRef(actual.getRoleRef(), desired.getRoleRef())
            && OwnedFields.pairwise(
                actual.getSubjects(),
                desired.getSubjects(),
                TrainerRoleBindingDependent::sameSubject),
        desired);
  }

  private static boolean sameRoleRef(RoleRef actual, RoleRef desired) {
    return actual != null
        && OwnedFields.sameText(actual.getApiGroup(), desired.getApiGroup())
        && OwnedFields.sameText(actual.getKind(), desired.getKind())
        && OwnedFields.sameText(actual.getName(), desired.getName());
  }

  private static boolean sameSubject(Subject actual, Subject desired) {
    return OwnedFields.sameText(actual.getApiGroup(), desired.getApiGroup())
        && OwnedFields.sameText(actual.getKind(), desired.getKind())
        && OwnedFields.sameText(actual.getName(), desired.getName())
        && OwnedFields.sameText(actual.getNamespace(), desired.getNamespace());
  }
}
