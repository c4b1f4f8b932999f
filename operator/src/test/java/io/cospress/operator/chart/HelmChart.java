package io.cospress.operator.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real Helm CLI (built by {@code hack/helm.sh}) run on the chart in {@code
 * charts/cospress-operator}, and its output as plain maps.
 */
public final class HelmChart {

  public static final Path CHART = Path.of("..", "charts", "cospress-operator").toAbsolutePath();
  public static final Path ALL_ON_VALUES = CHART.resolve("ci/all-on-values.yaml");
  public static final String RELEASE = "cospress";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private HelmChart() {}

  /** What one helm invocation printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("helm exited " + exitCode + ":\n" + stderr + stdout);
      }
      return this;
    }
  }

  public static Path helm() {
    String configured = System.getProperty("cospress.helm");
    Path helm = configured == null ? null : Path.of(configured);
    if (helm == null || !Files.isExecutable(helm)) {
      throw new IllegalStateException(
          "Helm not found at "
              + configured
              + "; run `bash hack/helm.sh` (hack/test.sh does) and pass -Dcospress.helm=<path>");
    }
    return helm;
  }

  private static Path helmHome;

  /** One scratch home for every helm call of the test JVM. */
  private static synchronized Path helmHome() throws IOException {
    if (helmHome == null) {
      helmHome = Files.createTempDirectory("helm-home");
    }
    return helmHome;
  }

  public static Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(helm().toString());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("helm", ".out");
      Path err = Files.createTempFile("helm", ".err");
      try {
        // Helm must not read or write the user's own repositories and caches.
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Path home = helmHome();
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError("helm did not finish in 2 minutes: " + command);
        }
        return new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code helm template} of the chart into {@code namespace}, with extra arguments. */
  public static String templateYaml(String namespace, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "-n", namespace));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new)).requireSuccess().stdout();
  }

  /** The rendered objects, in helm's order. */
  public static List<Map<String, Object>> template(String namespace, String... extra) {
    return parse(templateYaml(namespace, extra));
  }

  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> parse(String yaml) {
    try {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (Object doc : YAML.readerFor(Map.class).readValues(yaml).readAll()) {
        if (doc != null) {
          objects.add((Map<String, Object>) doc);
        }
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  public static Map<String, Object> single(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> matches = ofKind(objects, kind);
    if (matches.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + matches.size());
    }
    return matches.get(0);
  }

  /** The value at a dotted path of maps, with {@code [n]} for list elements. */
  public static Object at(Object root, String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      String key = part;
      Integer index = null;
      int bracket = part.indexOf('[');
      if (bracket >= 0) {
        key = part.substring(0, bracket);
        index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
      }
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
      if (index != null) {
        if (!(node instanceof List<?> list) || list.size() <= index) {
          return null;
        }
        node = list.get(index);
      }
    }
    return node;
  }

  /** The value of environment variable {@code name} of a container map. */
  @SuppressWarnings("unchecked")
  public static Optional<String> env(Object container, String name) {
    List<Map<String, Object>> env = (List<Map<String, Object>>) at(container, "env");
    return env == null
        ? Optional.empty()
        : env.stream()
            .filter(e -> name.equals(e.get("name")))
            .map(e -> (String) e.get("value"))
            .filter(Objects::nonNull)
            .findFirst();
  }

  /** The container's environment as the kubelet would give it (downward API resolved). */
  @SuppressWarnings("unchecked")
  public static Map<String, String> environment(Map<String, Object> container, String namespace) {
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> var : (List<Map<String, Object>>) container.get("env")) {
      Object fieldPath = at(var, "valueFrom.fieldRef.fieldPath");
      if ("metadata.namespace".equals(fieldPath)) {
        env.put((String) var.get("name"), namespace);
      } else {
        env.put((String) var.get("name"), (String) var.get("value"));
      }
    }
    return env;
  }
}
