package io.cospress.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the chart's ServiceMonitor and PodMonitor into Prometheus scrape configurations with
 * Kubernetes service discovery, the way the Prometheus Operator does: targets are discovered
 * through the API server, kept only when their Service's or pod's labels match the monitor's
 * selector and their port has the monitor's port name, and labelled with {@code namespace}, {@code
 * pod}, {@code container}, {@code service} and {@code job} (the Service's name for a
 * ServiceMonitor, {@code <namespace>/<name>} for a PodMonitor). Only what the chart uses is
 * supported; anything else fails loudly.
 */
final class ScrapeConfigs {

  private ScrapeConfigs() {}

  static Map<String, Object> serviceMonitor(JsonNode monitor, Map<String, Object> discovery) {
    String ns = monitor.at("/metadata/namespace").asText();
    String name = monitor.at("/metadata/name").asText();
    JsonNode endpoint = single(monitor.at("/spec/endpoints"), "ServiceMonitor endpoints");
    List<Map<String, Object>> relabel = new ArrayList<>();
    relabel.addAll(selector(monitor.at("/spec/selector"), "__meta_kubernetes_service_label"));
    relabel.add(keep("__meta_kubernetes_endpoint_port_name", endpoint.path("port").asText()));
    relabel.add(copy("__meta_kubernetes_namespace", "namespace"));
    relabel.add(copy("__meta_kubernetes_service_name", "service"));
    relabel.add(copy("__meta_kubernetes_pod_name", "pod"));
    relabel.add(copy("__meta_kubernetes_pod_container_name", "container"));
    relabel.add(copy("__meta_kubernetes_service_name", "job"));
    relabel.add(constant("endpoint", endpoint.path("port").asText()));
    Map<String, Object> sd = new LinkedHashMap<>(discovery);
    sd.put("role", "endpoints");
    sd.put("namespaces", Map.of("names", namespaces(monitor, ns)));
    return job("serviceMonitor/" + ns + "/" + name + "/0", endpoint, sd, relabel);
  }

  static Map<String, Object> podMonitor(JsonNode monitor, Map<String, Object> discovery) {
    String ns = monitor.at("/metadata/namespace").asText();
    String name = monitor.at("/metadata/name").asText();
    JsonNode endpoint = single(monitor.at("/spec/podMetricsEndpoints"), "PodMonitor endpoints");
    List<Map<String, Object>> relabel = new ArrayList<>();
    // Finished pods keep their IP in the API for a while; the Prometheus Operator drops them.
    Map<String, Object> dropFinished = new LinkedHashMap<>();
    dropFinished.put("action", "drop");
    dropFinished.put("source_labels", List.of("__meta_kubernetes_pod_phase"));
    dropFinished.put("regex", "(Failed|Succeeded)");
    relabel.add(dropFinished);
    relabel.addAll(selector(monitor.at("/spec/selector"), "__meta_kubernetes_pod_label"));
    relabel.add(keep("__meta_kubernetes_pod_container_port_name", endpoint.path("port").asText()));
    relabel.add(copy("__meta_kubernetes_namespace", "namespace"));
    relabel.add(copy("__meta_kubernetes_pod_name", "pod"));
    relabel.add(copy("__meta_kubernetes_pod_container_name", "container"));
    relabel.add(constant("job", ns + "/" + name));
    relabel.add(constant("endpoint", endpoint.path("port").asText()));
    Map<String, Object> sd = new LinkedHashMap<>(discovery);
    sd.put("role", "pod");
    if (!monitor.at("/spec/namespaceSelector/any").asBoolean(false)) {
      sd.put("namespaces", Map.of("names", namespaces(monitor, ns)));
    }
    return job("podMonitor/" + ns + "/" + name + "/0", endpoint, sd, relabel);
  }

  private static Map<String, Object> job(
      String jobName,
      JsonNode endpoint,
      Map<String, Object> sd,
      List<Map<String, Object>> relabel) {
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("job_name", jobName);
    job.put("honor_labels", endpoint.path("honorLabels").asBoolean(false));
    job.put("metrics_path", endpoint.path("path").asText("/metrics"));
    job.put("scrape_interval", endpoint.path("interval").asText("30s"));
    job.put("scrape_timeout", endpoint.path("scrapeTimeout").asText("10s"));
    job.put("kubernetes_sd_configs", List.of(sd));
    job.put("relabel_configs", relabel);
    return job;
  }

  /** Keep rules for a label selector: matchLabels, and matchExpressions with In or Exists. */
  private static List<Map<String, Object>> selector(JsonNode selector, String prefix) {
    List<Map<String, Object>> rules = new ArrayList<>();
    selector
        .path("matchLabels")
        .fields()
        .forEachRemaining(
            e -> rules.add(keep(prefix + "_" + sanitize(e.getKey()), e.getValue().asText())));
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = sanitize(expression.path("key").asText());
      switch (expression.path("operator").asText()) {
        case "Exists" -> rules.add(keep(prefix + "present_" + key, "true"));
        case "In" -> {
          List<String> values = new ArrayList<>();
          expression.path("values").forEach(v -> values.add(v.asText()));
          rules.add(keep(prefix + "_" + key, String.join("|", values)));
        }
        default ->
            throw new AssertionError(
                "selector operator " + expression.path("operator").asText() + " not supported");
      }
    }
    return rules;
  }

  private static List<String> namespaces(JsonNode monitor, String own) {
    List<String> names = new ArrayList<>();
    monitor.at("/spec/namespaceSelector/matchNames").forEach(n -> names.add(n.asText()));
    return names.isEmpty() ? List.of(own) : names;
  }

  private static JsonNode single(JsonNode array, String what) {
    if (!array.isArray() || array.size() != 1) {
      throw new AssertionError("expected one entry in " + what + ", found " + array);
    }
    return array.get(0);
  }

  /** Prometheus's spelling of a Kubernetes label name in discovery labels. */
  static String sanitize(String label) {
    return label.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static Map<String, Object> keep(String label, String regex) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("action", "keep");
    rule.put("source_labels", List.of(label));
    rule.put("regex", regex);
    return rule;
  }

  private static Map<String, Object> copy(String from, String to) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("source_labels", List.of(from));
    rule.put("target_label", to);
    return rule;
  }

  private static Map<String, Object> constant(String label, String value) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("target_label", label);
    rule.put("replacement", value);
    return rule;
  }
}
