package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer's manifest ConfigMap, ServiceAccount, Role and RoleBinding are watched dependents of
 * the run: removed or edited by hand while the run is running, they are back within one
 * reconciliation, and the trainer's next status write succeeds, not only the next attempt's.
 */
class DependentResourcesIT {

  private final KubernetesClient admin = ApiServer.get().admin();
  private final FakeKubelet kubelet = new FakeKubelet(admin);
  private String namespace;
  private Runs runs;
  private CosPressOperator operator;

  @BeforeEach
  void startOperator() throws Exception {
    namespace = ApiServer.get().newNamespace("dependents");
    runs = new Runs(namespace);
    operator = OperatorUnderTest.start(Set.of(namespace), OperatorUnderTest.QUICK_RETRIES);
  }

  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void deletedRoleBindingOfARunningRunIsRestoredAndTheTrainerCanReportAgain() {
    MinimalRun.create(namespace, "drift", "");
    kubelet.running(kubelet.createPod(runs.awaitJob("drift-a1")));
    runs.awaitStatus("drift", s -> s.getPhase() == RunPhase.Running);
    RoleBinding original = roleBinding("drift-trainer");
    try (KubernetesClient trainer = TrainerIdentity.clientOf(namespace, "drift")) {
      TrainerIdentity.applyProgress(trainer, namespace, "drift", "1/10");

      admin.resource(original).withGracePeriod(0).delete();

      RoleBinding restored =
          await()
              .atMost(Runs.TIMEOUT)
              .until(
                  () -> roleBinding("drift-trainer"),
                  rb ->
                      rb != null
                          && !rb.getMetadata().getUid().equals(original.getMetadata().getUid()));
      assertThat(restored.getRoleRef()).isEqualTo(original.getRoleRef());
      assertThat(restored.getSubjects()).isEqualTo(original.getSubjects());
      // The authorizer learns about the new binding through its own watch, so allow it a moment.
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .ignoreException(KubernetesClientException.class)
          .untilAsserted(() -> TrainerIdentity.applyProgress(trainer, namespace, "drift", "2/10"));
    }
    assertThat(runs.get("drift").getStatus().getProgress().getEpochs()).isEqualTo("2/10");
    assertThat(runs.get("drift").getStatus().getPhase()).isEqualTo(RunPhase.Running);
  }

  @Test
  void roleWidenedByHandIsNarrowedAgain() {
    MinimalRun.create(namespace, "wide", "");
    runs.awaitJob("wide-a1");
    Role role = await().atMost(Runs.TIMEOUT).until(() -> role("wide-trainer"), r -> r != null);

    admin
        .rbac()
        .roles()
        .inNamespace(namespace)
        .withName("wide-trainer")
        .edit(
            r -> {
              r.getRules()
                  .add(
                      new PolicyRuleBuilder()
                          .withApiGroups("")
                          .withResources("secrets")
                          .withVerbs("get", "list")
                          .build());
              return r;
            });

    await()
        .atMost(Runs.TIMEOUT)
        .untilAsserted(
            () -> assertThat(role("wide-trainer").getRules()).isEqualTo(role.getRules()));
  }

  @Test
  void editedManifestConfigMapIsPutBack() {
    MinimalRun.create(namespace, "manifest", "");
    runs.awaitJob("manifest-a1");
    ConfigMap original =
        await().atMost(Runs.TIMEOUT).until(() -> configMap("manifest-manifest"), c -> c != null);

    admin
        .configMaps()
        .inNamespace(namespace)
        .withName("manifest-manifest")
        .edit(
            c -> {
              c.getData().put("run.yaml", "spec: {teacher: {model: /etc/passwd}}\n");
              return c;
            });

    await()
        .atMost(Runs.TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(configMap("manifest-manifest").getData()).isEqualTo(original.getData()));
  }

  private RoleBinding roleBinding(String name) {
    return admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
  }

  private Role role(String name) {
    return admin.rbac().roles().inNamespace(namespace).withName(name).get();
  }

  private ConfigMap configMap(String name) {
    return admin.configMaps().inNamespace(namespace).withName(name).get();
  }
}
