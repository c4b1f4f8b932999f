package io.cospress.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus server (Debian's package, {@code hack/prometheus.sh}) running on this machine
 * for the whole suite. It finds the operator and the trainer pods through the cluster's API
 * (Kubernetes service discovery, with a ServiceAccount token that may only list and watch pods,
 * Services and Endpoints), using the scrape configuration the chart's ServiceMonitor and PodMonitor
 * stand for, and evaluates the chart's alert rules. Scrape intervals are set to 2 s through the
 * chart's own values so a run of a minute leaves enough samples.
 */
public final class Prometheus {

  public static final String MONITORING_NAMESPACE = "e2e-monitoring";
  private static final String ACCOUNT = "e2e-prometheus";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static Prometheus instance;

  private final Process process;
  private final URI base;
  private final Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private Prometheus(Process process, URI base, Path dir) {
    this.process = process;
    this.base = base;
    this.dir = dir;
  }

  /** The suite's Prometheus, started on first use and stopped when the test JVM exits. */
  public static synchronized Prometheus get() {
    if (instance == null) {
      instance = start();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "stop-prometheus"));
    }
    return instance;
  }

  private static Prometheus start() {
    try {
      Path dir = Files.createTempDirectory(E2eConfig.reportDir(), "prometheus-");
      Map<String, Object> discovery = discovery(dir);
      List<JsonNode> chart =
          Helm.render(
              "metrics.serviceMonitor.enabled=true",
              "metrics.serviceMonitor.interval=2s",
              "metrics.serviceMonitor.scrapeTimeout=2s",
              "metrics.podMonitor.enabled=true",
              "metrics.podMonitor.interval=2s",
              "metrics.podMonitor.scrapeTimeout=2s",
              "metrics.prometheusRule.enabled=true");
      Map<String, Object> config = new LinkedHashMap<>();
      config.put(
          "global",
          Map.of("scrape_interval", "2s", "scrape_timeout", "2s", "evaluation_interval", "2s"));
      config.put("rule_files", List.of(dir.resolve("rules.yaml").toString()));
      config.put(
          "scrape_configs",
          List.of(
              ScrapeConfigs.serviceMonitor(Helm.only(chart, "ServiceMonitor"), discovery),
              ScrapeConfigs.podMonitor(Helm.only(chart, "PodMonitor"), discovery)));
      YAML.writeValue(dir.resolve("prometheus.yml").toFile(), config);
      YAML.writeValue(
          dir.resolve("rules.yaml").toFile(), Helm.only(chart, "PrometheusRule").path("spec"));

      int port;
      try (ServerSocket socket =
          new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Process process =
          new ProcessBuilder(
                  E2eConfig.prometheus().toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--storage.tsdb.retention.time=6h",
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      // hack/test.sh stops it by this PID if the test JVM dies without running its hooks.
      Files.writeString(
          E2eConfig.reportDir().resolve("prometheus.pid"), Long.toString(process.pid()));
      Prometheus prometheus = new Prometheus(process, URI.create("http://127.0.0.1:" + port), dir);
      prometheus.awaitReady();
      return prometheus;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Prometheus", e);
    }
  }

  /**
   * Kubernetes service discovery as a Prometheus in the cluster would do it: the API server's
   * address and CA, and a token of its own ServiceAccount with read access to pods, Services and
   * Endpoints only.
   */
  private static Map<String, Object> discovery(Path dir) throws IOException {
    Kubectl.apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: %2$s, namespace: %1$s}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: %2$s}
        rules:
        - apiGroups: [""]
          resources: [pods, services, endpoints]
          verbs: [get, list, watch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: %2$s}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %2$s}
        subjects:
        - {kind: ServiceAccount, name: %2$s, namespace: %1$s}
        """
            .formatted(MONITORING_NAMESPACE, ACCOUNT));
    String token =
        Kubectl.run("create", "token", ACCOUNT, "-n", MONITORING_NAMESPACE, "--duration=6h")
            .requireSuccess()
            .stdout()
            .strip();
    Files.writeString(dir.resolve("token"), token);
    Config admin = Config.fromKubeconfig(null, Files.readString(E2eConfig.kubeconfig()), null);
    byte[] ca =
        admin.getCaCertData() != null
            ? Base64.getDecoder().decode(admin.getCaCertData())
            : Files.readAllBytes(Path.of(admin.getCaCertFile()));
    Files.write(dir.resolve("ca.crt"), ca);
    Map<String, Object> sd = new LinkedHashMap<>();
    sd.put("api_server", admin.getMasterUrl().replaceAll("/$", ""));
    sd.put("authorization", Map.of("credentials_file", dir.resolve("token").toString()));
    sd.put("tls_config", Map.of("ca_file", dir.resolve("ca.crt").toString()));
    return sd;
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("Prometheus exited; see " + dir.resolve("prometheus.log"));
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      RunWatch.sleep(Duration.ofMillis(300));
    }
    throw new AssertionError(
        "Prometheus not ready within 60 s; see " + dir.resolve("prometheus.log"));
  }

  /** Result vector of an instant query at {@code time}. */
  public JsonNode query(String promql, Instant time) {
    return api("/api/v1/query?query=" + encode(promql) + "&time=" + time.getEpochSecond())
        .path("result");
  }

  /** Result matrix of a range query over [start, end] at {@code step}. */
  public JsonNode queryRange(String promql, Instant start, Instant end, Duration step) {
    return api("/api/v1/query_range?query="
            + encode(promql)
            + "&start="
            + start.getEpochSecond()
            + "&end="
            + end.getEpochSecond()
            + "&step="
            + step.toSeconds())
        .path("result");
  }

  /** The active scrape targets Prometheus discovered. */
  public List<JsonNode> activeTargets() {
    List<JsonNode> targets = new ArrayList<>();
    api("/api/v1/targets?state=active").path("activeTargets").forEach(targets::add);
    return targets;
  }

  private JsonNode api(String path) {
    try {
      HttpResponse<String> response = get(path);
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new AssertionError(
            "Prometheus " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return body.path("data");
    } catch (IOException e) {
      throw new UncheckedIOException("Prometheus " + path, e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Kubectl.run("delete", "namespace", MONITORING_NAMESPACE, "--wait=false", "--ignore-not-found");
    Kubectl.run("delete", "clusterrolebinding,clusterrole", ACCOUNT, "--ignore-not-found");
  }
}
