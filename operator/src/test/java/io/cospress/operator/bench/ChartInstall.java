package io.cospress.operator.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator as the Helm chart deploys it, read from the chart itself ({@code helm template} with
 * default values) and from the image's Dockerfile: its ServiceAccount and RBAC, the container's
 * environment, its CPU and memory limits and the JVM flags of the image's entrypoint.
 */
record ChartInstall(
    String namespace,
    String serviceAccount,
    Map<String, String> environment,
    List<String> jvmFlags,
    long memoryLimitBytes,
    double cpuLimit,
    List<HasMetadata> rbac) {

  private static final Set<String> RBAC_KINDS =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
  private static final Pattern JVM_FLAG = Pattern.compile("-XX:[A-Za-z0-9+=._-]+");

  /** Renders {@code chart} into {@code namespace} with the chart's default values. */
  static ChartInstall render(
      Path helm, Path chart, Path dockerfile, String namespace, KubernetesClient parser)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                helm.toString(), "template", "bench", chart.toString(), "--namespace", namespace)
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "helm template failed: " + new String(output, StandardCharsets.UTF_8));
    }
    List<HasMetadata> objects = parser.load(new ByteArrayInputStream(output)).items();
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the chart renders no Deployment"));
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Quantity> limits = container.getResources().getLimits();
    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    List<HasMetadata> rbac = new ArrayList<>();
    for (HasMetadata object : objects) {
      if (RBAC_KINDS.contains(object.getKind())) {
        boolean clusterScoped = object.getKind().startsWith("Cluster");
        if (!clusterScoped && object.getMetadata().getNamespace() == null) {
          object.getMetadata().setNamespace(namespace);
        }
        rbac.add(object);
      }
    }
    return new ChartInstall(
        namespace,
        serviceAccount,
        environment(imageEnvironment(dockerfile), container, namespace),
        jvmFlags(dockerfile),
        limits.get("memory").getNumericalAmount().longValueExact(),
        limits.get("cpu").getNumericalAmount().doubleValue(),
        rbac);
  }

  /**
   * The image's env (the Dockerfile's {@code ENV KEY=VALUE} lines), then the container's, which
   * wins as in a pod; fieldRef metadata.namespace resolves to the release namespace.
   */
  private static Map<String, String> environment(
      Map<String, String> image, Container container, String namespace) {
    Map<String, String> env = new LinkedHashMap<>(image);
    for (EnvVar var : container.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      } else if (var.getValueFrom() != null
          && var.getValueFrom().getFieldRef() != null
          && "metadata.namespace".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
        env.put(var.getName(), namespace);
      } else {
        throw new IllegalStateException("cannot resolve env " + var.getName() + " outside a pod");
      }
    }
    return env;
  }

  /** The {@code ENV KEY=VALUE ...} lines of the Dockerfile, as the image's environment. */
  private static Map<String, String> imageEnvironment(Path dockerfile) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dockerfile)) {
      if (line.startsWith("ENV ")) {
        for (String pair : line.substring(4).trim().split("\\s+")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
      }
    }
    return env;
  }

  /** The -XX flags of the image's ENTRYPOINT, so the benchmark follows the Dockerfile. */
  private static List<String> jvmFlags(Path dockerfile) throws IOException {
    List<String> flags = new ArrayList<>();
    for (String line : Files.readAllLines(dockerfile)) {
      if (line.startsWith("ENTRYPOINT")) {
        Matcher matcher = JVM_FLAG.matcher(line);
        while (matcher.find()) {
          flags.add(matcher.group());
        }
      }
    }
    if (flags.isEmpty()) {
      throw new IllegalStateException("no -XX flags in the ENTRYPOINT of " + dockerfile);
    }
    return flags;
  }

  /** Creates the chart's ServiceAccount and RBAC objects. */
  void applyRbac(KubernetesClient admin) {
    for (HasMetadata object : rbac) {
      admin.resource(object).create();
    }
  }
}
