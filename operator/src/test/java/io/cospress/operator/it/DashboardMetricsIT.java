package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.operator.CosPressOperator;
import io.cospress.operator.chart.HelmChart;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard and the alert rules query is one the trainer or the operator
 * really exports (docs/observability.md). The queries come from the rendered chart and are parsed
 * by the Prometheus query parser itself; the exported names come from scraping a real trainer
 * process and a real operator that has reconciled, retried and failed.
 */
class DashboardMetricsIT {

  /**
   * Series that come from elsewhere: Prometheus's own scrape health, and NVIDIA's dcgm-exporter for
   * the GPU panels (documented in docs/observability.md).
   */
  private static final Set<String> EXTERNAL =
      Set.of("up", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED");

  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*\\w+\\)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Set<String> exported;

  @BeforeAll
  static void scrapeTrainerAndOperator(@TempDir Path work) throws Exception {
    exported = new TreeSet<>();
    exported.addAll(sampleNames(scrapeTrainer(work)));
    exported.addAll(sampleNames(scrapeOperator()));
  }

  @Test
  void everyMetricOfTheDashboardAndTheAlertsIsExported() throws Exception {
    List<String> queries = new ArrayList<>();
    queries.addAll(dashboardQueries());
    queries.addAll(alertQueries());

    JsonNode parsed = parse(queries);

    assertThat(parsed.get("errors")).as("every query parses").isEmpty();
    Set<String> used = new TreeSet<>();
    parsed.get("metrics").forEach(m -> used.add(m.asText()));
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exported);
    missing.removeAll(EXTERNAL);
    assertThat(missing)
        .as("queried but exported by neither the trainer nor the operator; exported: %s", exported)
        .isEmpty();
    assertThat(used)
        .as("the external series are all still used (no stale exceptions)")
        .containsAll(EXTERNAL);
    String docs = Files.readString(Path.of("..", "docs", "observability.md"));
    EXTERNAL.forEach(name -> assertThat(docs).as("external series documented").contains(name));
  }

  @Test
  void dashboardCoversTheRunTheFleetAndTheOperator() throws Exception {
    Set<String> used = new TreeSet<>();
    parse(dashboardQueries()).get("metrics").forEach(m -> used.add(m.asText()));

    assertThat(used)
        .contains(
            "cospress_train_loss",
            "cospress_train_learning_rate",
            "cospress_train_images_per_second",
            "cospress_train_step_duration_seconds_sum",
            "cospress_train_total_steps",
            "cospress_eval_knn_accuracy",
            "cospress_eval_similarity_mae",
            "cospress_checkpoint_age_seconds",
            "cospress_runs",
            "cospress_run_restarts_total",
            "operator_sdk_reconciliations_started_total",
            "operator_sdk_reconciliations_failed_total",
            "DCGM_FI_DEV_GPU_UTIL");
  }

  @Test
  void alertRulesCoverFailedStalledRestartsAndTheOperator() {
    String rules = ruleFile();

    assertThat(rules)
        .contains(
            "CosPressRunFailed",
            "CosPressRunStalled",
            "CosPressRunRestartsClimbing",
            "CosPressOperatorDown",
            "CosPressOperatorNotReconciling");
  }

  private static List<String> dashboardQueries() throws Exception {
    Map<String, Object> configMap =
        HelmChart.single(
            HelmChart.template("monitoring", "--set", "dashboards.enabled=true"), "ConfigMap");
    String dashboard =
        (String) ((Map<?, ?>) configMap.get("data")).get("cospress-distillation.json");
    JsonNode model = JSON.readTree(dashboard);
    List<String> queries = new ArrayList<>();
    collectExpressions(model.get("panels"), queries);
    for (JsonNode variable : model.at("/templating/list")) {
      JsonNode query = variable.get("query");
      String text =
          query == null ? "" : query.isObject() ? query.path("query").asText() : query.asText();
      Matcher labelValues = LABEL_VALUES.matcher(text);
      if (labelValues.matches()) {
        // Grafana's label_values(selector, label) is not PromQL; its selector is.
        queries.add(labelValues.group(1));
      }
    }
    assertThat(queries).as("the dashboard has queries").hasSizeGreaterThan(20);
    return queries.stream().map(DashboardMetricsIT::withoutGrafanaVariables).toList();
  }

  private static void collectExpressions(JsonNode panels, List<String> queries) {
    if (panels == null) {
      return;
    }
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          queries.add(target.get("expr").asText());
        }
      }
      collectExpressions(panel.get("panels"), queries);
    }
  }

  /** Grafana substitutes these before Prometheus sees the query; so does this test. */
  private static String withoutGrafanaVariables(String query) {
    return query
        .replaceAll("\\$__(rate_interval|interval|range)", "5m")
        .replaceAll("\\$\\{?[A-Za-z_]+(:[a-z]+)?}?", "x");
  }

  private static String ruleFile() {
    return HelmChart.templateYaml(
        "cospress-system",
        "--set",
        "metrics.prometheusRule.enabled=true",
        "--show-only",
        "templates/prometheusrule.yaml");
  }

  @SuppressWarnings("unchecked")
  private static List<String> alertQueries() {
    Map<String, Object> rule = HelmChart.parse(ruleFile()).get(0);
    List<String> queries = new ArrayList<>();
    for (Map<String, Object> group :
        (List<Map<String, Object>>) HelmChart.at(rule, "spec.groups")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
        queries.add((String) r.get("expr"));
      }
    }
    return queries;
  }

  private static JsonNode parse(List<String> queries) throws Exception {
    String tool = System.getProperty("cospress.promqlMetrics", "");
    assertThat(tool.isBlank() ? null : Path.of(tool))
        .as(
            "the PromQL parser tool: run hack/promql-metrics.sh (hack/test.sh does) and pass"
                + " -Dcospress.promqlMetrics=<its output>")
        .isNotNull()
        .isExecutable();
    Process process =
        new ProcessBuilder(tool).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (var in = process.getOutputStream()) {
      in.write(JSON.writeValueAsBytes(queries));
    }
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    return JSON.readTree(out);
  }

  /** Metric names of the samples of a Prometheus text exposition. */
  private static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  /** Starts the quickstart in a real trainer process and scrapes it once training has begun. */
  private static String scrapeTrainer(Path work) throws Exception {
    Path jar = Path.of(System.getProperty("cospress.trainerJar")).toAbsolutePath().normalize();
    assertThat(jar).as("trainer jar (mvn install -pl api,trainer)").isRegularFile();
    Path examples = jar.getParent().getParent().getParent().resolve("examples");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dai.djl.offline=true",
                "-jar",
                jar.toString(),
                "run",
                "-f",
                examples.resolve("quickstart.yaml").toString(),
                "--output",
                work.resolve("out").toString(),
                "--metrics-port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("trainer.log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("KUBE"));
    builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    Process trainer = builder.start();
    try {
      String url = "http://127.0.0.1:" + port + "/metrics";
      return await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> get(url),
              body -> {
                if (!trainer.isAlive()) {
                  throw new AssertionError("trainer exited; see " + work.resolve("trainer.log"));
                }
                return body.contains("cospress_train_steps_total{");
              });
    } finally {
      trainer.destroy();
      if (!trainer.waitFor(30, TimeUnit.SECONDS)) {
        trainer.destroyForcibly();
      }
    }
  }

  /**
   * Runs the operator through a success, an application-error retry and a failed reconciliation (a
   * quota that forbids Jobs), so that its lazily created series exist, then scrapes it.
   */
  private static String scrapeOperator() throws Exception {
    KubernetesClient admin = ApiServer.get().admin();
    String namespace = ApiServer.get().newNamespace("metrics");
    String blocked = ApiServer.get().newNamespace("metrics-quota");
    // An admission policy refusing the trainer Job, as a quota or a webhook would in a cluster.
    JobRefusal.refuseJobsIn(blocked);
    try (CosPressOperator operator =
        OperatorUnderTest.start(
            Set.of(namespace, blocked),
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2)))) {
      FakeKubelet kubelet = new FakeKubelet(admin);
      MinimalRun.create(namespace, "scraped", "");
      MinimalRun.create(blocked, "refused", "");
      Job first = new Runs(namespace).awaitJob("scraped-a1");
      kubelet.exited(kubelet.createPod(first), 1, "Error");
      kubelet.failJob(first);
      new Runs(namespace).awaitJob("scraped-a2");
      String url = "http://127.0.0.1:" + operator.httpPort() + "/metrics";
      return await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> get(url),
              body ->
                  body.contains("operator_sdk_reconciliations_failed_total")
                      && body.contains("cospress_run_restarts_total")
                      && body.contains("cospress_run_phase"));
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
    return response.body();
  }
}
