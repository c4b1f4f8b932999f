package io.cospress.operator.reconciler.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TestRuns;
import io.cospress.operator.rbac.TrainerRbac;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The RBAC dependents decide whether to apply again from the fields they set, since their cached
 * objects carry no managedFields: an object as the API server returns it (defaults filled in,
 * labels and owners added by others) matches; one whose applied fields were changed does not.
 */
class DependentMatchTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final DistillationRun RUN = TestRuns.run("vit-distil");

  private final TrainerServiceAccountDependent serviceAccounts =
      new TrainerServiceAccountDependent();
  private final TrainerRoleDependent roles = new TrainerRoleDependent();
  private final TrainerRoleBindingDependent bindings = new TrainerRoleBindingDependent();

  @Test
  void objectsAsTheApiServerReturnsThemMatchWithoutManagedFields() {
    ServiceAccount account = TrainerRbac.serviceAccount(RUN);
    Role role = TrainerRbac.role(RUN);
    RoleBinding binding = TrainerRbac.roleBinding(RUN);

    assertThat(matches(serviceAccounts, asServerReturns(account, o -> {}), account)).isTrue();
    assertThat(matches(roles, asServerReturns(role, o -> {}), role)).isTrue();
    assertThat(
            matches(
                bindings,
                asServerReturns(binding, b -> b.getSubjects().get(0).setApiGroup("")),
                binding))
        .isTrue();
  }

  @Test
  void labelsAndOwnersAddedByOthersAreNotADifference() {
    Role role = TrainerRbac.role(RUN);
    Role actual =
        asServerReturns(
            role,
            r -> {
              r.getMetadata().getLabels().put("team", "vision");
              r.getMetadata()
                  .getOwnerReferences()
                  .add(
                      new OwnerReferenceBuilder()
                          .withApiVersion("v1")
                          .withKind("ConfigMap")
                          .withName("audit")
                          .withUid("3c1d")
                          .build());
            });

    assertThat(matches(roles, actual, role)).isTrue();
  }

  @Test
  void aRoleWidenedByHandDoesNotMatch() {
    Role role = TrainerRbac.role(RUN);
    Role widened = asServerReturns(role, r -> r.getRules().get(0).getVerbs().add("update"));
    Role otherRun =
        asServerReturns(role, r -> r.getRules().get(0).getResourceNames().set(0, "someone-else"));

    assertThat(matches(roles, widened, role)).isFalse();
    assertThat(matches(roles, otherRun, role)).isFalse();
  }

  @Test
  void aBindingToAnotherSubjectOrRoleDoesNotMatch() {
    RoleBinding binding = TrainerRbac.roleBinding(RUN);
    RoleBinding otherSubject =
        asServerReturns(binding, b -> b.getSubjects().get(0).setName("default"));
    RoleBinding extraSubject =
        asServerReturns(binding, b -> b.getSubjects().add(b.getSubjects().get(0)));
    RoleBinding otherRole = asServerReturns(binding, b -> b.getRoleRef().setName("admin"));

    assertThat(matches(bindings, otherSubject, binding)).isFalse();
    assertThat(matches(bindings, extraSubject, binding)).isFalse();
    assertThat(matches(bindings, otherRole, binding)).isFalse();
  }

  @Test
  void aRemovedLabelOrOwnerDoesNotMatch() {
    ServiceAccount account = TrainerRbac.serviceAccount(RUN);
    String label = account.getMetadata().getLabels().keySet().iterator().next();
    ServiceAccount unlabelled =
        asServerReturns(account, a -> a.getMetadata().getLabels().remove(label));
    ServiceAccount relabelled =
        asServerReturns(account, a -> a.getMetadata().getLabels().put(label, "changed"));
    ServiceAccount orphaned =
        asServerReturns(account, a -> a.getMetadata().getOwnerReferences().clear());

    assertThat(matches(serviceAccounts, unlabelled, account)).isFalse();
    assertThat(matches(serviceAccounts, relabelled, account)).isFalse();
    assertThat(matches(serviceAccounts, orphaned, account)).isFalse();
  }

  private static <R extends HasMetadata> boolean matches(
      PrunedCacheDependent<R> dependent, R actual, R desired) {
    return dependent.match(actual, desired, RUN, null).matched();
  }

  /**
   * {@code desired} through JSON, as a watch delivers it, with the server's metadata, without
   * managedFields (as the pruned cache keeps it), then {@code edit}.
   */
  private static <R extends HasMetadata> R asServerReturns(R desired, Consumer<R> edit) {
    @SuppressWarnings("unchecked")
    R actual = (R) JSON.unmarshal(JSON.asJson(desired), desired.getClass());
    actual.getMetadata().setUid("9e2b7c40-1f3a-4d5e-8b6c-7a8f9e0d1c2b");
    actual.getMetadata().setResourceVersion("4711");
    actual.getMetadata().setCreationTimestamp("2026-12-02T09:00:00Z");
    actual.getMetadata().setManagedFields(null);
    edit.accept(actual);
    return actual;
  }
}
