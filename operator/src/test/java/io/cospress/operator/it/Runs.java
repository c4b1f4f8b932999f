package io.cospress.operator.it;

import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.function.Predicate;

/** The runs and Jobs of one test namespace, read and awaited as an admin. */
final class Runs {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient admin;
  private final String namespace;

  Runs(String namespace) {
    this.admin = ApiServer.get().admin();
    this.namespace = namespace;
  }

  String namespace() {
    return namespace;
  }

  /** The run as stored now, or null. */
  DistillationRun get(String name) {
    return admin.resources(DistillationRun.class).inNamespace(namespace).withName(name).get();
  }

  DistillationRunStatus awaitStatus(String name, Predicate<DistillationRunStatus> condition) {
    return await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              DistillationRun run = get(name);
              return run == null ? null : run.getStatus();
            },
            status -> status != null && condition.test(status));
  }

  /** The Job once it exists. */
  Job awaitJob(String name) {
    return await().atMost(TIMEOUT).until(() -> job(name), job -> job != null);
  }

  /** The Job as stored now, or null. */
  Job job(String name) {
    return admin.batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  /**
   * A JSON merge patch of the run's spec, such as {@code {"suspend": true}}. Unlike an edit it
   * sends no resourceVersion, so it does not fail when the operator wrote the status in between.
   */
  void patchSpec(String name, String specJson) {
    admin
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }

  /** The status ("True", "False") of a condition, or null without it. */
  static String condition(DistillationRunStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(Condition::getStatus)
        .findFirst()
        .orElse(null);
  }
}
