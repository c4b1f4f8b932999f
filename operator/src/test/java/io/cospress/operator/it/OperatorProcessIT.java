package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.cospress.operator.OperatorSettings;
import io.cospress.operator.job.TrainerDefaults;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator as a process: leader election, health, metrics and Kueue hand-off. */
class OperatorProcessIT {

  private final KubernetesClient admin = ApiServer.get().admin();

  private static HttpResponse<String> get(CosPressOperator operator, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void leaderHoldsTheLeaseServesHealthAndExportsRunMetrics() throws Exception {
    String namespace = ApiServer.get().newNamespace("process");
    try (CosPressOperator operator =
        CosPressOperator.start(
            OperatorUnderTest.ownClient(),
            new OperatorSettings(
                Set.of(namespace),
                namespace,
                OperatorSettings.LEASE_NAME,
                0,
                TrainerDefaults.standard(),
                false))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(operator, "/readyz").statusCode() == 200);
      assertThat(get(operator, "/healthz").statusCode()).isEqualTo(200);
      Lease lease =
          admin.leases().inNamespace(namespace).withName(OperatorSettings.LEASE_NAME).get();
      assertThat(lease).isNotNull();
      assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

      MinimalRun.create(namespace, "counted", "");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  get(operator, "/metrics")
                      .body()
                      .contains("cospress_runs{phase=\"Pending\"} 1.0"));
      String metrics = get(operator, "/metrics").body();
      assertThat(metrics)
          .contains("# TYPE cospress_run_transitions_total counter")
          .contains("to=\"Pending\"")
          .contains("operator_sdk_reconciliations")
          .contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void queuedJobShowsAsQueuedAndAdmissionMovesTheRunOn() throws Exception {
    String namespace = ApiServer.get().newNamespace("kueue");
    try (CosPressOperator operator =
        CosPressOperator.start(
            OperatorUnderTest.ownClient(),
            new OperatorSettings(
                Set.of(namespace), null, "unused", 0, TrainerDefaults.standard()))) {
      MinimalRun.create(namespace, "queued", "queueName: team-gpus");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  admin.batch().v1().jobs().inNamespace(namespace).withName("queued-a1").get()
                      != null);
      Job job = admin.batch().v1().jobs().inNamespace(namespace).withName("queued-a1").get();
      assertThat(job.getSpec().getSuspend()).isTrue();
      assertThat(job.getMetadata().getLabels())
          .containsEntry("kueue.x-k8s.io/queue-name", "team-gpus");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> phase(namespace, "queued") == RunPhase.Queued);
      assertThat(
              admin
                  .resources(DistillationRun.class)
                  .inNamespace(namespace)
                  .withName("queued")
                  .get()
                  .getStatus()
                  .getMessage())
          .contains("team-gpus");

      // Kueue admits the workload by unsuspending the Job.
      admin
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName("queued-a1")
          .edit(
              j -> {
                j.getSpec().setSuspend(false);
                return j;
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> phase(namespace, "queued") == RunPhase.Pending);
    }
  }

  private RunPhase phase(String namespace, String name) {
    DistillationRun run =
        admin.resources(DistillationRun.class).inNamespace(namespace).withName(name).get();
    return run == null || run.getStatus() == null ? null : run.getStatus().getPhase();
  }
}
