package io.cospress.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart as the cluster has it installed ({@code hack/cluster.sh install-operator}: release
 * {@code cospress} in {@code cospress-system}), rendered by the real Helm with its monitoring
 * objects switched on: the PodMonitor, ServiceMonitor and PrometheusRule that a Prometheus Operator
 * would turn into scrape and rule configuration, and the dashboard.
 */
public final class Helm {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Helm() {}

  /** Every object {@code helm template} renders with {@code values}, as JSON trees. */
  public static List<JsonNode> render(String... values) {
    Path chart = E2eConfig.repo().resolve("charts/cospress-operator");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            E2eConfig.helm().toString(),
            "template",
            "cospress",
            chart.toString(),
            "--namespace",
            Cluster.OPERATOR_NAMESPACE));
    for (String value : values) {
      command.add("--set");
      command.add(value);
    }
    try {
      Path home = Files.createTempDirectory("e2e-helm");
      Command.Result result =
          Command.run(
                  command,
                  null,
                  Duration.ofMinutes(1),
                  Map.of(
                      "HELM_CONFIG_HOME", home.resolve("config").toString(),
                      "HELM_CACHE_HOME", home.resolve("cache").toString(),
                      "HELM_DATA_HOME", home.resolve("data").toString()))
              .requireSuccess();
      List<JsonNode> objects = new ArrayList<>();
      try (YAMLParser parser = new YAMLFactory().createParser(result.stdout())) {
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode object = it.next();
          if (object != null && object.has("kind")) {
            objects.add(object);
          }
        }
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one rendered object of {@code kind}. */
  public static JsonNode only(List<JsonNode> objects, String kind) {
    List<JsonNode> found =
        objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + kind + " in the rendered chart, found " + found.size());
    }
    return found.get(0);
  }
}
