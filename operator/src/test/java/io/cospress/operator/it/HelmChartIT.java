package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.cospress.operator.OperatorSettings;
import io.cospress.operator.chart.HelmChart;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart against the real API server: every rendered object passes server-side validation,
 * and an operator configured and authorised only by what {@code helm install} created reconciles a
 * run. No kubelet runs here, so the operator runs in this JVM with the chart Deployment's
 * environment and a token of the chart's ServiceAccount, which is what its pod gets.
 */
class HelmChartIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient admin = ApiServer.get().admin();

  @Test
  void defaultAndAllOnRendersPassServerSideDryRun() throws Exception {
    ThirdPartyCrds.install("prometheus-operator");
    String release = ApiServer.get().newNamespace("chart-dry-run");
    for (String namespace : new String[] {"team-a", "team-b", "monitoring"}) {
      ensureNamespace(namespace);
    }

    for (String[] values : new String[][] {{}, {"-f", HelmChart.ALL_ON_VALUES.toString()}}) {
      String[] args = new String[values.length + 1];
      args[0] = "--include-crds";
      System.arraycopy(values, 0, args, 1, values.length);
      String rendered = HelmChart.templateYaml(release, args);

      Kubectl.Result dryRun =
          Kubectl.run(
              rendered,
              "apply",
              "--server-side",
              "--dry-run=server",
              "--force-conflicts",
              "--field-manager=helm-dry-run",
              "-f",
              "-");

      assertThat(dryRun.exitCode()).as(dryRun.stderr()).isZero();
      assertThat(dryRun.stdout())
          .contains(
              "deployment.apps/cospress-cospress-operator serverside-applied (server dry run)");
      if (values.length > 0) {
        assertThat(dryRun.stdout())
            .contains("servicemonitor.monitoring.coreos.com/")
            .contains("podmonitor.monitoring.coreos.com/")
            .contains("prometheusrule.monitoring.coreos.com/");
      }
    }
  }

  @Test
  void operatorInstalledByHelmReconcilesARunWithOnlyTheChartsPermissions() throws Exception {
    String release = ApiServer.get().newNamespace("chart-release");
    String runs = ApiServer.get().newNamespace("chart-runs");
    String elsewhere = ApiServer.get().newNamespace("chart-unwatched");
    HelmChart.Result install =
        HelmChart.run(
            "install",
            HelmChart.RELEASE,
            HelmChart.CHART.toString(),
            "--kubeconfig",
            ApiServer.get().kubeconfig().toString(),
            "-n",
            release,
            "--set",
            "watchNamespaces={" + runs + "}",
            "--set",
            "trainer.resources.cpu=3",
            "--set",
            "metrics.serviceMonitor.enabled=false");
    assertThat(install.exitCode()).as(install.stderr()).isZero();
    assertThat(install.stdout()).contains("It reconciles DistillationRuns in: " + runs);

    Deployment deployment =
        admin
            .apps()
            .deployments()
            .inNamespace(release)
            .withName("cospress-cospress-operator")
            .get();
    OperatorSettings chart =
        OperatorSettings.fromEnvironment(
            HelmChart.environment(
                Serialization.jsonMapper()
                    .convertValue(
                        deployment.getSpec().getTemplate().getSpec().getContainers().get(0),
                        Map.class),
                release));
    OperatorSettings settings =
        new OperatorSettings(
            chart.watchNamespaces(),
            chart.leaderElectionNamespace(),
            chart.leaseName(),
            0,
            chart.trainer(),
            false);
    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    KubernetesClient asChart =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(ApiServer.get().tokenKubeconfig(release, serviceAccount)))
            .build();

    try (CosPressOperator operator = CosPressOperator.start(asChart, settings)) {
      FakeKubelet kubelet = new FakeKubelet(admin);
      MinimalRun.create(runs, "from-chart", "");

      Job job = new Runs(runs).awaitJob("from-chart-a1");
      assertThat(
              job.getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getResources()
                  .getLimits()
                  .get("cpu")
                  .toString())
          .as("the chart's trainer.resources.cpu reached the pod")
          .isEqualTo("3");
      assertThat(admin.rbac().roles().inNamespace(runs).withName("from-chart-trainer").get())
          .as("the chart's role lets the operator grant a trainer its run's status")
          .isNotNull();
      assertThat(metrics(operator))
          .as(
              "no reconciliation failed on the way: without the cluster-admin power to bind any"
                  + " role, the RoleBinding can only be applied once its Role exists")
          .contains("operator_sdk_reconciliations_success_total")
          .doesNotContain("operator_sdk_reconciliations_failed_total");
      Pod pod = kubelet.running(kubelet.createPod(job));
      new Runs(runs).awaitStatus("from-chart", s -> s.getPhase() == RunPhase.Running);
      kubelet.exited(pod, 0, "Completed");
      kubelet.completeJob(job);
      new Runs(runs).awaitStatus("from-chart", s -> s.getPhase() == RunPhase.Succeeded);
      Lease lease = admin.leases().inNamespace(release).withName(chart.leaseName()).get();
      assertThat(lease)
          .as("leader election used the chart's lease in the release namespace")
          .isNotNull();
      await()
          .atMost(TIMEOUT)
          .alias("the leader renews its lease with the chart's permissions")
          .until(
              () ->
                  !lease
                      .getSpec()
                      .getRenewTime()
                      .equals(
                          admin
                              .leases()
                              .inNamespace(release)
                              .withName(chart.leaseName())
                              .get()
                              .getSpec()
                              .getRenewTime()));

      assertThatThrownBy(() -> asChart.secrets().inNamespace(runs).list())
          .as("the operator cannot read secrets")
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(
              () -> asChart.resources(DistillationRun.class).inNamespace(elsewhere).list())
          .as("the operator cannot see runs outside its watched namespaces")
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    } finally {
      HelmChart.run(
          "uninstall",
          HelmChart.RELEASE,
          "--kubeconfig",
          ApiServer.get().kubeconfig().toString(),
          "-n",
          release);
    }
  }

  private static String metrics(CosPressOperator operator) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + operator.httpPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private void ensureNamespace(String name) {
    if (admin.namespaces().withName(name).get() == null) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
  }
}
