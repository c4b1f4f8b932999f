package io.cospress.operator.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TestRuns;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerRbacTest {

  private final DistillationRun run = TestRuns.run("vit-distil");

  @Test
  void roleAllowsOnlyGettingAndPatchingThisRunsStatus() {
    Role role = TrainerRbac.role(run);

    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("cospress.io");
              assertThat(rule.getResources()).containsExactly("distillationruns/status");
              assertThat(rule.getResourceNames()).containsExactly("vit-distil");
              assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
              assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            });
  }

  @Test
  void bindingGrantsTheRoleToTheRunsServiceAccount() {
    RoleBinding binding = TrainerRbac.roleBinding(run);

    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(binding.getRoleRef().getName())
        .isEqualTo(TrainerRbac.role(run).getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(TrainerRbac.serviceAccountName(run));
              assertThat(s.getNamespace()).isEqualTo(TestRuns.NAMESPACE);
            });
  }

  @Test
  void serviceAccountIsNamedAfterTheRun() {
    assertThat(TrainerRbac.serviceAccountName(run)).isEqualTo("vit-distil-trainer");
    assertThat(TrainerRbac.serviceAccount(run).getMetadata().getName())
        .isEqualTo("vit-distil-trainer");
  }

  @Test
  void everyObjectIsInTheRunsNamespaceLabelledAndControlledByTheRun() {
    List<HasMetadata> objects =
        List.of(
            TrainerRbac.serviceAccount(run), TrainerRbac.role(run), TrainerRbac.roleBinding(run));

    assertThat(objects)
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getNamespace()).isEqualTo(TestRuns.NAMESPACE);
              assertThat(o.getMetadata().getLabels())
                  .containsEntry(CosPressConstants.LABEL_RUN, "vit-distil")
                  .containsEntry(
                      CosPressConstants.LABEL_MANAGED_BY, CosPressConstants.MANAGED_BY_VALUE);
              assertThat(o.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      ref -> {
                        assertThat(ref.getUid()).isEqualTo(TestRuns.UID);
                        assertThat(ref.getController()).isTrue();
                        assertThat(ref.getBlockOwnerDeletion()).isTrue();
                      });
            });
  }

  @Test
  void roleOfALongRunNameStillNamesTheWholeRun() {
    String name = "r".repeat(250);
    DistillationRun longRun = TestRuns.run(name);

    assertThat(TrainerRbac.role(longRun).getRules().get(0).getResourceNames())
        .containsExactly(name);
    assertThat(TrainerRbac.serviceAccountName(longRun)).hasSizeLessThanOrEqualTo(253);
  }
}
