package io.cospress.operator.reconciler.dependent;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TrainerLabels;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Role that lets the run's trainer write the run's status and nothing else. */
@KubernetesDependent(informer = @Informer(labelSelector = TrainerLabels.MANAGED_SELECTOR))
public final class TrainerRoleDependent extends PrunedCacheDependent<Role> {

  public TrainerRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role desired(DistillationRun run, Context<DistillationRun> context) {
    return TrainerRbac.role(run);
  }

  @Override
  public Matcher.Result<Role> match(
      Role actual, Role desired, DistillationRun run, Context<DistillationRun> context) {
    return Matcher.Result.computed(
        OwnedFields.metadataMatches(actual, desired)
            && OwnedFields.pairwise(
                actual.getRules(), desired.getRules(), TrainerRoleDependent::sameRule),
        desired);
  }

  private static boolean sameRule(PolicyRule actual, PolicyRule desired) {
    return OwnedFields.sameList(actual.getApiGroups(), desired.getApiGroups())
        && OwnedFields.sameList(actual.getResources(), desired.getResources())
        && OwnedFields.sameList(actual.getResourceNames(), desired.getResourceNames())
        && OwnedFields.sameList(actual.getVerbs(), desired.getVerbs())
        && OwnedFields.sameList(actual.getNonResourceURLs(), desired.getNonResourceURLs());
  }
}
