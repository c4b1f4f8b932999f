package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.E2eConfig;
import io.cospress.e2e.harness.Helm;
import io.cospress.e2e.harness.Prometheus;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 12: observability for real. The suite's Prometheus (built from source by {@code
 * hack/prometheus.sh}: Debian's package has no Kubernetes service discovery) discovers the operator
 * through its Service and the trainer pods through the chart's PodMonitor selector, by Kubernetes
 * service discovery against the cluster's API. During a happy-path run every query of the shipped
 * dashboard returns data, except the GPU panels, which need NVIDIA's dcgm-exporter
 * (docs/observability.md); every alert expression evaluates on real series; and the alert for a
 * failed run fires for a run that fails on invalid input (scenario 10's fault). The happy run's
 * trainer is killed once (scenario 3's fault) so that the restart series exist too, and a run in a
 * namespace whose ResourceQuota admits no Job makes the operator's reconciliations fail, so that
 * the failed-reconciliation series exist (a healthy operator never creates them).
 */
@Order(12)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityE2E implements Scenario {

  private static final String NS = "e2e-observe";
  // A namespace whose ResourceQuota admits no Job: the operator's reconciliations of a run there
  // fail, so the failed-reconciliation series (which JOSDK creates at the first failure) exist.
  private static final String REFUSING_NS = "e2e-observe-no-jobs";
  private static final Set<String> EXTERNAL = Set.of("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED");

  private Workspace workspace;
  private Workspace refusingWorkspace;
  private RunManifest observed;
  private RunManifest failing;
  private Instant start;
  private Instant end;
  private List<JsonNode> targetsDuringTheRun;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void runAHappyAndAFailingRunUnderPrometheus() throws Exception {
    Prometheus prometheus = Prometheus.get();
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    Files.writeString(
        workspace.dir().resolve(Workspace.MODELS).resolve("not-torchscript.pt"), "not a model\n");
    // Long enough that the trainer is still alive to be killed once the status shows its first
    // evaluation: status writes lag up to 5 s, and a short run could have finished by then.
    observed = RunManifest.quick(NS, "observed", 20);
    failing =
        RunManifest.quick(NS, "failing", 1)
            .set("teacher", "model", Workspace.MODELS + "/not-torchscript.pt")
            .set("checkpoint", "claimName", Workspace.CLAIM);
    start = Instant.now();
    try (RunWatch watch = RunWatch.of(observed);
        RunWatch failed = RunWatch.of(failing)) {
      observed.apply();
      refuseJobsIn(REFUSING_NS);
      refusingWorkspace = Workspace.local(REFUSING_NS);
      RunManifest.quick(REFUSING_NS, "refused", 1).apply();
      // After the first evaluation and checkpoint, while the trainer is still running.
      watch.await(
          "the first evaluation and checkpoint",
          Duration.ofMinutes(4),
          r ->
              r.getStatus() != null
                  && r.getStatus().getCheckpoint() != null
                  && r.getStatus().getMetrics() != null
                  && r.getStatus().getMetrics().getStudentKnnAccuracy() != null);
      // A few scrapes of the trainer's newest series.
      RunWatch.sleep(Duration.ofSeconds(8));
      // Both operator replicas up: one may still be restarting after an earlier scenario's fault
      // (an API server restart can cost a replica its lease and so its process).
      Instant targetsDeadline = Instant.now().plus(Duration.ofSeconds(90));
      targetsDuringTheRun = prometheus.activeTargets();
      while (upTargets(targetsDuringTheRun, "serviceMonitor/") < 2
          && Instant.now().isBefore(targetsDeadline)) {
        RunWatch.sleep(Duration.ofSeconds(3));
        targetsDuringTheRun = prometheus.activeTargets();
      }
      // One application-error restart, so the restart panel and the restart alert have their
      // series: the operator's restart counter exists from a run's first restart on.
      TrainerPods.killTrainer(TrainerPods.ofAttempt(NS, observed.name(), 1).orElseThrow());
      failing.apply();
      watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(6));
      failed.awaitPhase(RunPhase.Failed, Duration.ofMinutes(3));
    }
    // Rules are evaluated every 2 s; the operator's phase gauge is scraped every 2 s.
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (Instant.now().isBefore(deadline)
        && (failedRunAlert().isEmpty() || noFailedReconciliationSeries())) {
      RunWatch.sleep(Duration.ofSeconds(2));
    }
    end = Instant.now();
  }

  @AfterAll
  void cleanUp() {
    Cluster.deleteNamespace(REFUSING_NS);
    Cluster.deleteNamespace(NS);
    workspace.release();
    if (refusingWorkspace != null) {
      refusingWorkspace.release();
    }
  }

  private static long upTargets(List<JsonNode> targets, String poolPrefix) {
    long up = 0;
    for (JsonNode target : targets) {
      if (target.path("scrapePool").asText().startsWith(poolPrefix)
          && "up".equals(target.path("health").asText())) {
        up++;
      }
    }
    return up;
  }

  private static void refuseJobsIn(String namespace) {
    Cluster.createNamespace(namespace);
    Cluster.client()
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("no-jobs")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addToHard("count/jobs.batch", new Quantity("0"))
                .endSpec()
                .build())
        .create();
  }

  private static boolean noFailedReconciliationSeries() {
    return Prometheus.get()
        .query("count(operator_sdk_reconciliations_failed_total)", Instant.now())
        .isEmpty();
  }

  @Test
  void prometheusFoundTheOperatorAndTheTrainerThroughTheClustersApi() {
    List<String> operatorPods = new ArrayList<>();
    List<String> trainerPods = new ArrayList<>();
    for (JsonNode target : targetsDuringTheRun) {
      String pool = target.path("scrapePool").asText();
      String pod = target.at("/labels/pod").asText();
      if (pool.startsWith("serviceMonitor/") && "up".equals(target.path("health").asText())) {
        operatorPods.add(pod);
      }
      if (pool.startsWith("podMonitor/") && "up".equals(target.path("health").asText())) {
        trainerPods.add(target.at("/labels/namespace").asText() + "/" + pod);
      }
    }
    assertThat(operatorPods)
        .as("both operator replicas, scraped on the Service's http port")
        .hasSize(2);
    assertThat(trainerPods)
        .as("the running trainer, selected like the chart's PodMonitor")
        .anyMatch(p -> p.startsWith(NS + "/" + observed.name() + "-a1-"));
  }

  @Test
  void everyDashboardQueryReturnsDataDuringTheRunExceptTheGpuPanels() throws IOException {
    Prometheus prometheus = Prometheus.get();
    Map<String, Integer> seriesPerQuery = new LinkedHashMap<>();
    List<String> empty = new ArrayList<>();
    for (String expr : dashboardQueries()) {
      if (EXTERNAL.stream().anyMatch(expr::contains)) {
        continue;
      }
      String query =
          expr.replace("$namespace", NS)
              .replace("$run", observed.name())
              .replace("$__rate_interval", "1m");
      JsonNode result = prometheus.queryRange(query, start, end, Duration.ofSeconds(2));
      seriesPerQuery.put(query, result.size());
      if (result.isEmpty()) {
        empty.add(query);
      }
    }
    Files.writeString(
        E2eConfig.reportDir().resolve("dashboard-queries.txt"),
        seriesPerQuery.entrySet().stream()
            .map(e -> e.getValue() + " series\t" + e.getKey())
            .reduce("", (a, b) -> a + b + "\n"));
    assertThat(seriesPerQuery).hasSizeGreaterThan(20);
    assertThat(empty).as("dashboard queries without data during the run").isEmpty();
  }

  @Test
  void theFailedRunAlertFiresForTheFailedRunOnly() {
    assertThat(failedRunAlert()).as("ALERTS for the failed run").isNotEmpty();
    JsonNode forTheHappyRun =
        Prometheus.get()
            .queryRange(
                "ALERTS{alertname=\"CosPressRunFailed\",namespace=\""
                    + NS
                    + "\",run=\""
                    + observed.name()
                    + "\"}",
                start,
                end,
                Duration.ofSeconds(2));
    assertThat(forTheHappyRun).isEmpty();
  }

  @Test
  void everyAlertExpressionEvaluatesOnRealSeries() {
    Prometheus prometheus = Prometheus.get();
    JsonNode rules =
        Helm.only(Helm.render("metrics.prometheusRule.enabled=true"), "PrometheusRule");
    List<String> missing = new ArrayList<>();
    int alerts = 0;
    for (JsonNode group : rules.at("/spec/groups")) {
      for (JsonNode rule : group.path("rules")) {
        String expr = rule.path("expr").asText();
        alerts++;
        // The expression itself must evaluate (a parse or type error would throw here) ...
        prometheus.query(expr, end);
        // ... and every series it reads must exist, so the rule is not silently empty.
        for (String selector : selectors(expr)) {
          if (prometheus
              .queryRange("count(" + selector + ")", start, end, Duration.ofSeconds(2))
              .isEmpty()) {
            missing.add(rule.path("alert").asText() + ": " + selector);
          }
        }
      }
    }
    assertThat(alerts).isEqualTo(6);
    assertThat(missing).as("alert inputs without data").isEmpty();
  }

  private JsonNode failedRunAlert() {
    return Prometheus.get()
        .queryRange(
            "ALERTS{alertname=\"CosPressRunFailed\",alertstate=\"firing\",namespace=\""
                + NS
                + "\",run=\""
                + failing.name()
                + "\"}",
            start,
            Instant.now(),
            Duration.ofSeconds(2));
  }

  private static List<String> dashboardQueries() throws IOException {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(
                E2eConfig.repo()
                    .resolve("charts/cospress-operator/dashboards/cospress-distillation.json")
                    .toFile());
    List<String> queries = new ArrayList<>();
    collect(dashboard.path("panels"), queries);
    return queries;
  }

  private static void collect(JsonNode panels, List<String> queries) {
    for (JsonNode panel : panels) {
      collect(panel.path("panels"), queries);
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          queries.add(target.path("expr").asText());
        }
      }
    }
  }

  /**
   * The metric selectors an expression reads, with their label matchers as written: the names come
   * from Prometheus's own parser ({@code hack/promql-metrics.sh}), which tells metrics from
   * functions, keywords and label names; the matchers follow the name in the text.
   */
  static List<String> selectors(String expr) {
    String json;
    try {
      json = new ObjectMapper().writeValueAsString(List.of(expr));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    io.cospress.e2e.harness.Command.Result parsed =
        io.cospress.e2e.harness.Command.run(
                List.of(E2eConfig.promqlMetrics().toString()), json, Duration.ofSeconds(30))
            .requireSuccess();
    List<String> selectors = new ArrayList<>();
    try {
      for (JsonNode name : new ObjectMapper().readTree(parsed.stdout()).path("metrics")) {
        Matcher m =
            Pattern.compile(
                    "(?<![a-zA-Z0-9_:])" + Pattern.quote(name.asText()) + "\\s*(\\{[^}]*\\})?")
                .matcher(expr);
        selectors.add(m.find() && m.group(1) != null ? name.asText() + m.group(1) : name.asText());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return selectors;
  }
}
