package io.cospress.operator.bench;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One operator build through the benchmark on a fresh API server: create a fleet, measure, delete
 * it, measure how soon the operator is idle; then the same with a large fleet for memory.
 */
final class ScaleRound {

  static final String OPERATOR_NAMESPACE = "cospress-system";
  static final String FLEET_NAMESPACE = "fleet";

  /**
   * A second in which the operator reconciled or used more than this share of one core counts as
   * active; the share it uses once quiet (leader election, scrapes) is reported separately.
   */
  static final double ACTIVE_CPU_SHARE = 0.10;

  private static final Duration QUIET = Duration.ofSeconds(5);
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(15);
  private static final String RECONCILE_TIMER =
      "operator_sdk_controllers_execution_reconcile_seconds";
  private static final Map<String, String> HEAP = Map.of("area", "heap");

  /** What the round measured. */
  record Result(
      String label,
      List<String> httpClients,
      CreationResult fleet,
      DeletionResult fleetDeletion,
      CreationResult large,
      List<String> operatorWarnings) {}

  private final BenchOptions options;
  private final String javaHome = System.getProperty("java.home");

  ScaleRound(BenchOptions options) {
    this.options = options;
  }

  Result run(String label, Path root, Path work) throws Exception {
    Files.createDirectories(work);
    try (BenchCluster cluster = BenchCluster.start(options.kubeBinaries(), work)) {
      cluster.installCrd(root.resolve("crds").resolve(CosPressConstants.CRD_NAME + "-v1.yml"));
      cluster.createNamespace(OPERATOR_NAMESPACE);
      cluster.createNamespace(FLEET_NAMESPACE);
      ChartInstall chart =
          ChartInstall.render(
              options.helm(),
              root.resolve("charts/cospress-operator"),
              root.resolve("operator/Dockerfile"),
              OPERATOR_NAMESPACE,
              cluster.admin());
      chart.applyRbac(cluster.admin());
      Path kubeconfig =
          cluster.serviceAccountKubeconfig(
              OPERATOR_NAMESPACE, chart.serviceAccount(), work.resolve("operator.kubeconfig"));
      String operatorUser =
          "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + chart.serviceAccount();
      Path distribution = root.resolve("operator/target");
      try (OperatorProcess operator =
          OperatorProcess.start(
              distribution, chart, kubeconfig, work.resolve("operator.log"), javaHome)) {
        operator.awaitReady(Duration.ofMinutes(3));
        Phases phases =
            new Phases(cluster, operator, new AuditLog(cluster.auditLog()), operatorUser, work);
        Fleet fleet = new Fleet(cluster.admin(), FLEET_NAMESPACE, options.manifest());
        progress(label + ": creating " + options.runs() + " runs");
        CreationResult small = phases.create(fleet, "a", options.runs());
        progress(label + ": " + small);
        progress(label + ": deleting them");
        DeletionResult deletion = phases.delete(fleet, options.runs());
        progress(label + ": " + deletion);
        CreationResult large = null;
        if (options.largeRuns() > 0) {
          progress(label + ": creating " + options.largeRuns() + " runs");
          large = phases.create(fleet, "b", options.largeRuns());
          progress(label + ": " + large);
        }
        return new Result(
            label, httpClients(distribution), small, deletion, large, operator.warnings());
      }
    }
  }

  /** The HTTP client jars on the operator jar's Class-Path (lib/ may hold stale jars). */
  private static List<String> httpClients(Path distribution) throws java.io.IOException {
    Path jar = distribution.resolve("cospress-operator.jar");
    String classPath;
    try (var file = new java.util.jar.JarFile(jar.toFile())) {
      classPath = file.getManifest().getMainAttributes().getValue("Class-Path");
    }
    return java.util.Arrays.stream(classPath.split(" "))
        .map(p -> p.substring(p.lastIndexOf('/') + 1))
        .filter(n -> n.startsWith("kubernetes-httpclient-"))
        .map(n -> n.replaceFirst("^kubernetes-httpclient-", "").replaceFirst("-[0-9.]+\\.jar$", ""))
        .sorted()
        .toList();
  }

  static void progress(String message) {
    System.err.println("[" + Instant.now() + "] " + message);
  }

  /** The phases of one round, sharing the cluster, the operator and the audit log reader. */
  private final class Phases {
    private final BenchCluster cluster;
    private final OperatorProcess operator;
    private final AuditLog audit;
    private final String operatorUser;
    private final Path work;

    Phases(
        BenchCluster cluster,
        OperatorProcess operator,
        AuditLog audit,
        String operatorUser,
        Path work)
        throws Exception {
      this.cluster = cluster;
      this.operator = operator;
      this.audit = audit;
      this.operatorUser = operatorUser;
      this.work = work;
      audit.poll();
    }

    CreationResult create(Fleet fleet, String prefix, int runs) throws Exception {
      int from = audit.poll().size();
      PrometheusSamples before = PrometheusSamples.parse(operator.scrape());
      double cpu0 = operator.cpuSeconds();
      double plane0 = controlPlaneCpu();
      double createSeconds =
          fleet.create(
              prefix,
              runs,
              options.creation(),
              options.threads(),
              cluster.kubectl(),
              cluster.kubeconfig());
      Predicate<AuditLog.Request> ours = r -> r.name() != null && r.name().startsWith(prefix + "-");
      long deadline = System.nanoTime() + options.phaseTimeout().toNanos();
      while (System.nanoTime() < deadline && operator.isAlive()) {
        List<AuditLog.Request> all = audit.poll();
        List<AuditLog.Request> phase = all.subList(from, all.size());
        long jobs = count(phase, r -> byOperator(r) && created(r, "jobs") && ours.test(r));
        long statuses =
            phase.stream()
                .filter(r -> byOperator(r) && r.is("patch", "distillationruns", "status"))
                .filter(ours)
                .map(AuditLog.Request::name)
                .distinct()
                .count();
        if (jobs >= runs && statuses >= runs && quietFor(phase, QUIET)) {
          break;
        }
        Thread.sleep(500);
      }
      double cpu = operator.cpuSeconds() - cpu0;
      double plane = controlPlaneCpu() - plane0;
      String text = operator.scrape();
      PrometheusSamples after = PrometheusSamples.parse(text);
      double heapUsed = after.sum("jvm_memory_used_bytes", HEAP);
      operator.fullGc(javaHome);
      Path histogram = work.resolve("heap-" + prefix + ".txt");
      operator.heapHistogram(javaHome, histogram);
      PrometheusSamples collected = PrometheusSamples.parse(operator.scrape());
      List<AuditLog.Request> all = audit.poll();
      List<AuditLog.Request> phase = all.subList(from, all.size());
      Instant lastRun =
          latest(phase, r -> !byOperator(r) && created(r, "distillationruns") && ours.test(r));
      Instant lastJob = latest(phase, r -> byOperator(r) && created(r, "jobs") && ours.test(r));
      Instant lastStatus =
          latest(
              phase,
              r -> byOperator(r) && r.is("patch", "distillationruns", "status") && ours.test(r));
      List<AuditLog.Request> byOperator =
          phase.stream().filter(r -> byOperator(r) && !"leases".equals(r.resource())).toList();
      return new CreationResult(
          runs,
          createSeconds,
          seconds(lastRun, lastJob),
          seconds(lastRun, lastStatus),
          (int) count(phase, r -> byOperator(r) && created(r, "jobs") && ours.test(r)),
          cpu,
          plane,
          byOperator.stream()
              .collect(
                  Collectors.groupingBy(
                      AuditLog.Request::verbAndResource, TreeMap::new, Collectors.counting())),
          byOperator.stream()
              .filter(r -> r.is("patch", "distillationruns", "status") && ours.test(r))
              .collect(Collectors.groupingBy(AuditLog.Request::name, Collectors.counting()))
              .values()
              .stream()
              .filter(n -> n > 1)
              .count(),
          repeatedEvents(prefix),
          byOperator.stream().filter(r -> created(r, "events")).count(),
          byOperator.stream()
              .filter(r -> r.code() >= 400)
              .collect(
                  Collectors.groupingBy(
                      AuditLog.Request::code, TreeMap::new, Collectors.counting())),
          after.sum(RECONCILE_TIMER + "_count") - before.sum(RECONCILE_TIMER + "_count"),
          after.quantileSince(before, RECONCILE_TIMER, 0.5) * 1000,
          after.quantileSince(before, RECONCILE_TIMER, 0.99) * 1000,
          heapUsed,
          collected.sum("jvm_memory_used_bytes", HEAP),
          histogramTotalBytes(histogram),
          collected.sum("jvm_memory_committed_bytes", HEAP),
          collected.sum("jvm_memory_max_bytes", HEAP),
          operator.rssBytes(),
          operator.peakRssBytes(),
          after.series("cospress_run_phase"),
          text.length());
    }

    DeletionResult delete(Fleet fleet, int runs) throws Exception {
      double cpu0 = operator.cpuSeconds();
      long started = System.nanoTime();
      fleet.deleteAll();
      double runsGone = Double.NaN;
      double lastActive = 0;
      double lastCpu = cpu0;
      double lastReconciles = reconcilesStarted();
      double quietCpu = 0;
      long quietSince = System.nanoTime();
      long deadline = started + options.phaseTimeout().toNanos();
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (Double.isNaN(runsGone) && remainingRuns() == 0) {
          runsGone = elapsed;
        }
        double cpu = operator.cpuSeconds();
        double reconciles = reconcilesStarted();
        if (reconciles > lastReconciles || cpu - lastCpu > ACTIVE_CPU_SHARE) {
          lastActive = elapsed;
          quietSince = System.nanoTime();
          quietCpu = cpu;
        }
        lastCpu = cpu;
        lastReconciles = reconciles;
        if (!Double.isNaN(runsGone) && System.nanoTime() - quietSince >= IDLE_WINDOW.toNanos()) {
          double share = (cpu - quietCpu) / ((System.nanoTime() - quietSince) / 1e9);
          return new DeletionResult(runs, runsGone, lastActive, share, cpu - cpu0);
        }
      }
      return new DeletionResult(
          runs, runsGone, Double.NaN, Double.NaN, operator.cpuSeconds() - cpu0);
    }

    private int remainingRuns() {
      var list =
          cluster
              .admin()
              .resources(DistillationRun.class)
              .inNamespace(FLEET_NAMESPACE)
              .list(new ListOptionsBuilder().withLimit(1L).build());
      Long more = list.getMetadata().getRemainingItemCount();
      return list.getItems().size() + (more == null ? 0 : more.intValue());
    }

    private double reconcilesStarted() throws Exception {
      return PrometheusSamples.parse(operator.scrape())
          .sum("operator_sdk_reconciliations_started_total");
    }

    /** Events that repeat an earlier one on the same run: same type, reason and message. */
    private long repeatedEvents(String prefix) {
      Map<List<String>, Integer> seen = new HashMap<>();
      for (Event e : cluster.admin().v1().events().inNamespace(FLEET_NAMESPACE).list().getItems()) {
        String run = e.getInvolvedObject().getName();
        if (run != null && run.startsWith(prefix + "-")) {
          seen.merge(
              List.of(run, e.getType(), e.getReason(), Objects.toString(e.getMessage())),
              1,
              Integer::sum);
        }
      }
      return seen.values().stream().mapToLong(n -> n - 1).sum();
    }

    private boolean quietFor(List<AuditLog.Request> phase, Duration quiet) {
      Instant last =
          latest(phase, r -> byOperator(r) && r.isWrite() && !"leases".equals(r.resource()));
      return last != null && Duration.between(last, Instant.now()).compareTo(quiet) >= 0;
    }

    private boolean byOperator(AuditLog.Request r) {
      return operatorUser.equals(r.user());
    }

    private double controlPlaneCpu() throws java.io.IOException {
      double sum = 0;
      for (ProcessHandle p : cluster.controlPlane()) {
        sum += OperatorProcess.cpuSeconds(p.pid());
      }
      return sum;
    }
  }

  /** The bytes on the {@code Total} line of a {@code jcmd GC.class_histogram}, or NaN. */
  static double histogramTotalBytes(Path histogram) throws java.io.IOException {
    if (!Files.exists(histogram)) {
      return Double.NaN;
    }
    try (var lines = Files.lines(histogram)) {
      return lines
          .filter(l -> l.startsWith("Total"))
          .map(l -> l.trim().split("\\s+"))
          .filter(f -> f.length == 3)
          .mapToDouble(f -> Double.parseDouble(f[2]))
          .findFirst()
          .orElse(Double.NaN);
    }
  }

  private static boolean created(AuditLog.Request r, String resource) {
    return r.is("create", resource, null) && r.code() == 201;
  }

  private static long count(List<AuditLog.Request> requests, Predicate<AuditLog.Request> p) {
    return requests.stream().filter(p).count();
  }

  private static Instant latest(List<AuditLog.Request> requests, Predicate<AuditLog.Request> p) {
    return requests.stream()
        .filter(p)
        .map(AuditLog.Request::completed)
        .max(Instant::compareTo)
        .orElse(null);
  }

  private static double seconds(Instant from, Instant to) {
    return from == null || to == null ? Double.NaN : Duration.between(from, to).toMillis() / 1000.0;
  }
}
