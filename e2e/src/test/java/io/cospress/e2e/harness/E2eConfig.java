package io.cospress.e2e.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the suite finds the cluster and its tools: system properties that hack/test.sh (or a
 * developer, from {@code hack/cluster.sh env}) passes to Maven. A missing one fails the suite at
 * once with the property's name and how to get it.
 */
public final class E2eConfig {

  private E2eConfig() {}

  /** The repository root (the examples, the chart and hack/ live there). */
  public static Path repo() {
    return existing("cospress.e2e.repo", "set by the e2e module's pom")
        .toAbsolutePath()
        .normalize();
  }

  /** The cluster's admin kubeconfig ({@code hack/cluster.sh env} prints it). */
  public static Path kubeconfig() {
    return existing("cospress.e2e.kubeconfig", "KUBECONFIG of `hack/cluster.sh env`");
  }

  /** kubectl of the cluster's version (in the PATH that {@code hack/cluster.sh env} exports). */
  public static Path kubectl() {
    return existing("cospress.e2e.kubectl", "`command -v kubectl` after `hack/cluster.sh env`");
  }

  /** The cluster's containerd socket, to find a trainer's host process. */
  public static Path containerd() {
    return existing(
        "cospress.e2e.containerd", "COSPRESS_CLUSTER_CONTAINERD of `hack/cluster.sh env`");
  }

  /** The Prometheus server binary ({@code hack/prometheus.sh}). */
  public static Path prometheus() {
    return existing("cospress.e2e.prometheus", "the last line of `hack/prometheus.sh`");
  }

  /** Kueue's image archive and manifest ({@code hack/kueue.sh}). */
  public static Path kueueDir() {
    return existing("cospress.e2e.kueueDir", "the last line of `hack/kueue.sh`");
  }

  /** Helm ({@code hack/helm.sh}), to render the chart's monitoring objects and dashboards. */
  public static Path helm() {
    return existing("cospress.helm", "the last line of `hack/helm.sh`");
  }

  /** The Prometheus query parser's metric lister ({@code hack/promql-metrics.sh}). */
  public static Path promqlMetrics() {
    return existing("cospress.promqlMetrics", "the last line of `hack/promql-metrics.sh`");
  }

  /** Where the suite writes its measurements and, for a failed scenario, what it saw. */
  public static Path reportDir() {
    String value = System.getProperty("cospress.e2e.reportDir", "target/e2e-report");
    try {
      return Files.createDirectories(Path.of(value)).toAbsolutePath();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create cospress.e2e.reportDir " + value, e);
    }
  }

  /** The cluster script, run as root like the suite. */
  public static Path clusterScript() {
    return repo().resolve("hack/cluster.sh");
  }

  private static Path existing(String property, String hint) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("-D" + property + " is not set (" + hint + ")");
    }
    Path path = Path.of(value);
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          "-D" + property + ": " + value + " does not exist (" + hint + ")");
    }
    return path;
  }
}
