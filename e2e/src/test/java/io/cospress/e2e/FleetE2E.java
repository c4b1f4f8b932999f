package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Command;
import io.cospress.e2e.harness.E2eConfig;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.PodHttp;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 13, a fleet: 200 GPU runs applied at once onto 20 fake GPU nodes (4 GPUs each, so they
 * run in waves), with the test playing their trainers through KWOK's exit-code annotation: most
 * succeed, some fail once with an application error, some are evicted once, some have invalid input
 * and some spend their whole restart budget. Every run must reach a terminal phase with its
 * restarts counted by cause, one Job per attempt. The wall time, the operator's heap and its
 * reconcile latency are measured and written to {@code fleet.txt} in the report directory.
 */
@Order(13)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetE2E implements Scenario {

  private static final String NS = "e2e-fleet";
  private static final int RUNS = 200;
  private static final int NODES = 20;
  private static final int GPUS_PER_NODE = 4;
  private static final int MAX_RESTARTS = 2;
  private static final String FAKE_EXIT_CODE = "cospress.local/fake-exit-code";

  /** What the test makes of each attempt of a run. */
  enum Plan {
    SUCCEED,
    FAIL_ONCE,
    EVICTED_ONCE,
    INVALID_INPUT,
    ALWAYS_FAIL;

    static Plan of(int index) {
      if (index % 25 == 0) {
        return INVALID_INPUT;
      }
      if (index % 50 == 11) {
        return ALWAYS_FAIL;
      }
      if (index % 10 == 3) {
        return FAIL_ONCE;
      }
      if (index % 10 == 7) {
        return EVICTED_ONCE;
      }
      return SUCCEED;
    }
  }

  private final Map<String, DistillationRun> finished = new HashMap<>();
  private Duration wallTime;
  private double maxHeapMiB;
  private OperatorSample before;
  private OperatorSample after;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void runTheFleet() throws Exception {
    Command.clusterScript(Duration.ofMinutes(2), "gpu-nodes", "0").requireSuccess();
    Command.clusterScript(
            Duration.ofMinutes(3),
            "gpu-nodes",
            Integer.toString(NODES),
            "--gpus",
            Integer.toString(GPUS_PER_NODE))
        .requireSuccess();
    Cluster.createNamespace(NS);
    StringBuilder manifests = new StringBuilder();
    for (int i = 0; i < RUNS; i++) {
      manifests.append(
          RunManifest.quick(NS, name(i), 1)
              .withoutClaim()
              .set("resources", "gpus", 1)
              .set("maxRestarts", MAX_RESTARTS)
              .toYaml());
    }
    before = OperatorSample.take();
    Instant start = Instant.now();
    Kubectl.runWithInput(manifests.toString(), "apply", "-f", "-").requireSuccess();

    Set<String> handled = new HashSet<>();
    Instant deadline = start.plus(Duration.ofMinutes(20));
    Instant nextSample = Instant.now();
    while (true) {
      for (Pod pod : Cluster.client().pods().inNamespace(NS).list().getItems()) {
        drive(pod, handled);
      }
      if (Instant.now().isAfter(nextSample)) {
        maxHeapMiB = Math.max(maxHeapMiB, OperatorSample.take().heapMiB());
        nextSample = Instant.now().plusSeconds(5);
      }
      List<DistillationRun> runs = Cluster.runs().inNamespace(NS).list().getItems();
      long terminal =
          runs.stream()
              .map(RunWatch::phaseOf)
              .filter(p -> p == RunPhase.Succeeded || p == RunPhase.Failed)
              .count();
      if (terminal == RUNS) {
        wallTime = Duration.between(start, Instant.now());
        runs.forEach(r -> finished.put(r.getMetadata().getName(), r));
        break;
      }
      assertThat(Instant.now()).as("%d of %d runs terminal", terminal, RUNS).isBefore(deadline);
      Thread.sleep(1000);
    }
    after = OperatorSample.take();
    maxHeapMiB = Math.max(maxHeapMiB, after.heapMiB());
    report();
  }

  @AfterAll
  void cleanUp() {
    Cluster.deleteNamespace(NS);
    Command.clusterScript(Duration.ofMinutes(3), "gpu-nodes", "2");
  }

  /** Plays the trainer of a pod bound to a fake node: once per pod, by the run's plan. */
  private static void drive(Pod pod, Set<String> handled) {
    String podName = pod.getMetadata().getName();
    if (handled.contains(podName)
        || !"Running".equals(pod.getStatus().getPhase())
        || pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    String run = pod.getMetadata().getLabels().get(CosPressConstants.LABEL_RUN);
    int attempt =
        Integer.parseInt(pod.getMetadata().getLabels().get(CosPressConstants.LABEL_ATTEMPT));
    Plan plan = Plan.of(index(run));
    handled.add(podName);
    if (plan == Plan.EVICTED_ONCE && attempt == 1) {
      Cluster.client().pods().inNamespace(NS).withName(podName).evict();
      return;
    }
    int exitCode =
        switch (plan) {
          case INVALID_INPUT -> 2;
          case ALWAYS_FAIL -> 1;
          case FAIL_ONCE -> attempt == 1 ? 1 : 0;
          default -> 0;
        };
    Cluster.client()
        .pods()
        .inNamespace(NS)
        .withName(podName)
        .edit(
            p -> {
              p.getMetadata().getAnnotations().put(FAKE_EXIT_CODE, Integer.toString(exitCode));
              return p;
            });
  }

  @Test
  void everyRunReachedTheTerminalPhaseItsTrainersLedTo() {
    assertThat(finished).hasSize(RUNS);
    for (int i = 0; i < RUNS; i++) {
      DistillationRun run = finished.get(name(i));
      Plan plan = Plan.of(i);
      RunPhase expected =
          plan == Plan.INVALID_INPUT || plan == Plan.ALWAYS_FAIL
              ? RunPhase.Failed
              : RunPhase.Succeeded;
      assertThat(run.getStatus().getPhase()).as("%s (%s)", name(i), plan).isEqualTo(expected);
      if (plan == Plan.INVALID_INPUT) {
        assertThat(run.getStatus().getReason()).isEqualTo("InvalidInput");
      }
      if (plan == Plan.ALWAYS_FAIL) {
        assertThat(run.getStatus().getReason()).isEqualTo("RestartBudgetExhausted");
      }
    }
  }

  @Test
  void restartsAreCountedByCauseWithOneJobPerAttempt() {
    Map<String, List<Job>> jobs =
        Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems().stream()
            .collect(
                Collectors.groupingBy(
                    j -> j.getMetadata().getLabels().get(CosPressConstants.LABEL_RUN)));
    for (int i = 0; i < RUNS; i++) {
      DistillationRun run = finished.get(name(i));
      Plan plan = Plan.of(i);
      int applicationErrors =
          switch (plan) {
            case FAIL_ONCE -> 1;
            case ALWAYS_FAIL -> MAX_RESTARTS;
            default -> 0;
          };
      int preemptions = plan == Plan.EVICTED_ONCE ? 1 : 0;
      var restarts = run.getStatus().getRestarts();
      assertThat(restarts.getApplicationError())
          .as("%s (%s)", name(i), plan)
          .isEqualTo(applicationErrors);
      assertThat(restarts.getPreemption()).as("%s (%s)", name(i), plan).isEqualTo(preemptions);
      assertThat(restarts.getNodeLoss()).isZero();
      assertThat(restarts.getTotal()).isEqualTo(applicationErrors + preemptions);
      int attempts = restarts.getTotal() + 1;
      assertThat(run.getStatus().getAttempt()).as(name(i)).isEqualTo(attempts);
      String runName = name(i);
      assertThat(jobs.get(runName))
          .extracting(j -> j.getMetadata().getName())
          .as("%s: one Job per attempt", runName)
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.IntStream.rangeClosed(1, attempts)
                  .mapToObj(a -> runName + "-a" + a)
                  .toList());
    }
  }

  @Test
  void theOperatorKeptUp() {
    // Generous bounds that still catch a leak or a stuck controller on this 2-CPU machine.
    assertThat(wallTime).isLessThan(Duration.ofMinutes(15));
    assertThat(maxHeapMiB).isLessThan(400);
    assertThat(after.reconciles() - before.reconciles()).isGreaterThan(RUNS);
  }

  private void report() throws Exception {
    double reconciles = after.reconciles() - before.reconciles();
    double meanMs =
        reconciles == 0
            ? 0
            : 1000 * (after.reconcileSeconds() - before.reconcileSeconds()) / reconciles;
    Map<RunPhase, Long> phases =
        finished.values().stream()
            .collect(Collectors.groupingBy(RunWatch::phaseOf, Collectors.counting()));
    String text =
        String.format(
            Locale.ROOT,
            "fleet: %d runs on %d fake GPU nodes x %d GPUs%n"
                + "wall time from kubectl apply to all terminal: %d s%n"
                + "phases: %s%n"
                + "operator heap (leader, jvm_memory_used_bytes{area=heap}): max %.0f MiB sampled every 5 s, %.0f MiB at the end%n"
                + "reconciliations during the fleet: %.0f, mean %.1f ms, longest in the last window %.0f ms%n",
            RUNS,
            NODES,
            GPUS_PER_NODE,
            wallTime.toSeconds(),
            phases,
            maxHeapMiB,
            after.heapMiB(),
            reconciles,
            meanMs,
            after.reconcileMaxSeconds() * 1000);
    System.out.print(text);
    Files.writeString(E2eConfig.reportDir().resolve("fleet.txt"), text);
  }

  private static String name(int i) {
    return "fleet-%03d".formatted(i);
  }

  private static int index(String run) {
    return Integer.parseInt(run.substring("fleet-".length()));
  }

  /** The leader's /metrics: heap in use and JOSDK's reconcile timer. */
  private record OperatorSample(
      double heapMiB, double reconciles, double reconcileSeconds, double reconcileMaxSeconds) {

    static OperatorSample take() {
      String leader =
          Cluster.client()
              .leases()
              .inNamespace(Cluster.OPERATOR_NAMESPACE)
              .withName("cospress-operator-lock")
              .get()
              .getSpec()
              .getHolderIdentity();
      String body =
          PodHttp.awaitBody(
              Cluster.OPERATOR_NAMESPACE,
              leader,
              8080,
              "/metrics",
              b -> b.contains("jvm_memory_used_bytes"),
              Duration.ofSeconds(30));
      double heap = 0;
      double count = 0;
      double sum = 0;
      double max = 0;
      for (String line : body.split("\n")) {
        if (line.startsWith("#")) {
          continue;
        }
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          heap += value;
        } else if (line.startsWith("operator_sdk_controllers_execution_reconcile_seconds_count")) {
          count += value;
        } else if (line.startsWith("operator_sdk_controllers_execution_reconcile_seconds_sum")) {
          sum += value;
        } else if (line.startsWith("operator_sdk_controllers_execution_reconcile_seconds_max")) {
          max = Math.max(max, value);
        }
      }
      return new OperatorSample(heap / (1024 * 1024), count, sum, max);
    }
  }
}
