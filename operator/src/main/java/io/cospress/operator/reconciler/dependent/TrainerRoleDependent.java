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
import java.util.List;

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
    List<PolicyRule> actualRules = OwnedFields.orEmpty(actual.getRules());
    List<PolicyRule> desiredRules = OwnedFields.orEmpty(desired.getRules());
    boolean rules = actualRules.size() == desiredRules.size();
    for (int i = 0; rules && i < desiredRules.size(); i++) {
      rules = sameRule(actualRules.get(i), desiredRules.get(i));
    }
    return Matcher.Result.computed(OwnedFields.metadataMatches(actual, desired) && rules, desired);
  }

  private static boolean sameRule(PolicyRule actual, PolicyRule desired) {
    return OwnedFields.orEmpty(actual.getApiGroups())
            .equals(OwnedFields.orEmpty(desired.getApiGroups()))
        && OwnedFields.orEmpty(actual.getResources())
            .equals(OwnedFields.orEmpty(desired.getResources()))
        && OwnedFields.orEmpty(actual.getResourceNames())
            .equals(OwnedFields.orEmpty(desired.getResourceNames()))
        && OwnedFields.orEmpty(actual.getVerbs()).equals(OwnedFields.orEmpty(desired.getVerbs()))
        && OwnedFields.orEmpty(actual.getNonResourceURLs())
            .equals(OwnedFields.orEmpty(desired.getNonResourceURLs()));
  }
}
