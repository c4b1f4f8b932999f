package io.cospress.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alert rules, as rendered, evaluated by Prometheus's own rule engine ({@code promtool
 * test rules}) against synthetic series: each alert fires when it should, with the labels and
 * messages an on-call engineer reads, and stays quiet otherwise.
 */
class AlertRulesTest {

  private static final String TESTS = "/alerts/alert-rules-test.yaml";

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertFiresOnItsConditionAndOnlyThen(@TempDir Path dir) throws Exception {
    Map<String, Object> rule =
        HelmChart.single(
            HelmChart.template("cospress-system", "--set", "metrics.prometheusRule.enabled=true"),
            "PrometheusRule");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    // A PrometheusRule's spec is a Prometheus rule file.
    yaml.writeValue(dir.resolve("rules.yaml").toFile(), rule.get("spec"));
    try (InputStream tests = getClass().getResourceAsStream(TESTS)) {
      Files.copy(tests, dir.resolve("alert-rules-test.yaml"));
    }
    List<String> alerts =
        ((List<Map<String, Object>>) HelmChart.at(rule, "spec.groups"))
            .stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .map(r -> (String) r.get("alert"))
                .toList();
    String tested = Files.readString(dir.resolve("alert-rules-test.yaml"));
    assertThat(alerts)
        .as("every alert of the chart has a promtool test")
        .allSatisfy(alert -> assertThat(tested).contains("alertname: " + alert));

    Process promtool =
        new ProcessBuilder(promtool().toString(), "test", "rules", "alert-rules-test.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(promtool.exitValue()).as(output).isZero();
    assertThat(output).contains("SUCCESS");
  }

  private static Path promtool() {
    String configured = System.getProperty("cospress.promtool", "");
    Path path = configured.isBlank() ? null : Path.of(configured);
    if (path == null || !Files.isExecutable(path)) {
      throw new IllegalStateException(
          "promtool not found at '"
              + configured
              + "'; run `bash hack/promtool.sh` (hack/test.sh does) and pass"
              + " -Dcospress.promtool=<its output>");
    }
    return path;
  }
}
