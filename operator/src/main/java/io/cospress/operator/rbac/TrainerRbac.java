package io.cospress.operator.rbac;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.KubernetesNames;
import io.cospress.operator.job.RunOwnerReference;
import io.cospress.operator.job.TrainerLabels;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

/**
 * The identity of a run's trainer pods and the only permission it has: reading and patching the
 * status of that one run (docs/status-model.md, docs/security.md). A compromised or buggy trainer
 * can therefore neither touch other runs nor change its own spec.
 *
 * <p>ServiceAccount, Role and RoleBinding are all named {@code <run-name>-trainer} (shortened with
 * a hash if that would exceed a DNS subdomain) and owned by the run, so they go away with it. To
 * create the Role, the operator must itself hold {@code get} and {@code patch} on {@code
 * distillationruns/status}, since RBAC forbids granting more than one has.
 */
public final class TrainerRbac {

  static final String STATUS_RESOURCE = CosPressConstants.PLURAL + "/status";
  private static final String RBAC_API_GROUP = "rbac.authorization.k8s.io";

  private TrainerRbac() {}

  /** The ServiceAccount the run's trainer pods run as. */
  public static String serviceAccountName(DistillationRun run) {
    return KubernetesNames.dnsSubdomain(run.getMetadata().getName(), "-trainer");
  }

  /** The name of the run's Role and RoleBinding (the same as its ServiceAccount's). */
  public static String roleName(DistillationRun run) {
    return serviceAccountName(run);
  }

  public static ServiceAccount serviceAccount(DistillationRun run) {
    return new ServiceAccountBuilder().withMetadata(metadata(run, serviceAccountName(run))).build();
  }

  /**
   * A Role with a single rule: {@code get} and {@code patch} (server-side apply is a patch) on
   * {@code distillationruns/status}, restricted by {@code resourceNames} to this run.
   */
  public static Role role(DistillationRun run) {
    PolicyRule statusOfThisRun =
        new PolicyRuleBuilder()
            .withApiGroups(CosPressConstants.GROUP)
            .withResources(STATUS_RESOURCE)
            .withResourceNames(run.getMetadata().getName())
            .withVerbs("get", "patch")
            .build();
    return new RoleBuilder()
        .withMetadata(metadata(run, roleName(run)))
        .withRules(statusOfThisRun)
        .build();
  }

  public static RoleBinding roleBinding(DistillationRun run) {
    return new RoleBindingBuilder()
        .withMetadata(metadata(run, roleName(run)))
        .withNewRoleRef()
        .withApiGroup(RBAC_API_GROUP)
        .withKind("Role")
        .withName(roleName(run))
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(serviceAccountName(run))
        .withNamespace(run.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  private static ObjectMeta metadata(DistillationRun run, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(run.getMetadata().getNamespace())
        .withLabels(TrainerLabels.forRun(run))
        .withOwnerReferences(RunOwnerReference.controllerOf(run))
        .build();
  }
}
