package io.cospress.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Around every scenario class: makes sure the suite's {@link Prometheus} runs, records how long it
 * took (in {@code durations.tsv} of the report directory) and, when a test fails, writes what the
 * cluster shows about the scenario's namespace and the operator (objects, events, trainer and
 * operator logs) beside it.
 */
public final class ScenarioExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        TestWatcher,
        LifecycleMethodExecutionExceptionHandler {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(ScenarioExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(STORE).put("start", Instant.now());
    // One Prometheus watches the whole suite (when one is configured; hack/e2e.sh always does),
    // so its dashboards and alerts see every scenario, not only the observability one.
    String prometheus = System.getProperty("cospress.e2e.prometheus");
    if (prometheus != null && !prometheus.isBlank()) {
      Prometheus.get();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // A failure while setting the scenario up (in @BeforeAll) reaches no test's testFailed.
    context.getExecutionException().ifPresent(e -> dump(context, "beforeAll", e));
    Instant start = context.getStore(STORE).get("start", Instant.class);
    long seconds = Duration.between(start, Instant.now()).toSeconds();
    String line =
        context.getRequiredTestClass().getSimpleName()
            + "\t"
            + seconds
            + "\t"
            + (context.getExecutionException().isPresent()
                    || context.getStore(STORE).getOrDefault("failed", Boolean.class, false)
                ? "failed"
                : "passed")
            + "\n";
    try {
      Files.writeString(
          E2eConfig.reportDir().resolve("durations.tsv"),
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    // A failed test is no execution exception of its class: remember it for durations.tsv.
    context.getParent().ifPresent(c -> c.getStore(STORE).put("failed", true));
    dump(context, context.getRequiredTestMethod().getName(), cause);
  }

  private static void dump(ExtensionContext context, String what, Throwable cause) {
    Optional<Object> instance = context.getTestInstance();
    if (instance.isEmpty() || !(instance.get() instanceof Scenario scenario)) {
      return;
    }
    Path dir =
        E2eConfig.reportDir().resolve(context.getRequiredTestClass().getSimpleName()).resolve(what);
    try {
      Files.createDirectories(dir);
      String ns = scenario.namespace();
      dump(
          dir,
          "objects.txt",
          "get",
          "dr,jobs,pods,pvc,cm,sa,role,rolebinding",
          "-n",
          ns,
          "-o",
          "wide");
      dump(dir, "runs.yaml", "get", "dr", "-n", ns, "-o", "yaml");
      dump(dir, "pods.yaml", "get", "pods", "-n", ns, "-o", "yaml");
      dump(dir, "events.txt", "get", "events", "-n", ns, "--sort-by=.lastTimestamp");
      dump(dir, "nodes.txt", "get", "nodes", "-o", "wide");
      for (String pod : names("pods", ns)) {
        dump(dir, "log-" + pod + ".txt", "logs", "-n", ns, pod, "--all-containers");
      }
      for (String pod : names("pods", Cluster.OPERATOR_NAMESPACE)) {
        dump(
            dir,
            "operator-" + pod + ".txt",
            "logs",
            "-n",
            Cluster.OPERATOR_NAMESPACE,
            pod,
            "--tail=400");
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static List<String> names(String kind, String namespace) {
    Command.Result result = Kubectl.run("get", kind, "-n", namespace, "-o", "name");
    return result.stdout().lines().map(l -> l.substring(l.indexOf('/') + 1)).toList();
  }

  private static void dump(Path dir, String file, String... kubectl) throws IOException {
    Command.Result result = Kubectl.run(kubectl);
    Files.writeString(dir.resolve(file), result.stdout() + result.stderr());
  }
}
