package io.cospress.operator.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's command line.
 *
 * @param operators label → checkout root (its operator/target, chart, Dockerfile and CRD are used)
 */
record BenchOptions(
    Path kubeBinaries,
    Path helm,
    Path manifest,
    Map<String, Path> operators,
    int runs,
    int largeRuns,
    Fleet.Creation creation,
    int threads,
    int rounds,
    Duration phaseTimeout,
    Path out) {

  static final String USAGE =
      """
      usage: FleetScaleBenchmark --kube-binaries DIR --helm PATH --operator LABEL=CHECKOUT...
             [--manifest FILE] [--runs 1000] [--large 5000] [--creation parallel|kubectl-apply]
             [--threads 8] [--rounds 1] [--phase-timeout-seconds 1200] [--out DIR]""";

  static BenchOptions parse(String[] args) {
    Path kubeBinaries = null;
    Path helm = null;
    Path manifest = Path.of("examples/quickstart.yaml");
    Map<String, Path> operators = new LinkedHashMap<>();
    int runs = 1000;
    int large = 5000;
    Fleet.Creation creation = Fleet.Creation.PARALLEL;
    int threads = 8;
    int rounds = 1;
    int timeout = 1200;
    Path out = Path.of("target/operator-scale-bench");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        throw new IllegalArgumentException(args[i] + " needs a value\n" + USAGE);
      }
      switch (args[i++]) {
        case "--kube-binaries" -> kubeBinaries = Path.of(value);
        case "--helm" -> helm = Path.of(value);
        case "--manifest" -> manifest = Path.of(value);
        case "--operator" -> {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--operator: LABEL=CHECKOUT, got " + value);
          }
          operators.put(value.substring(0, eq), Path.of(value.substring(eq + 1)));
        }
        case "--runs" -> runs = Integer.parseInt(value);
        case "--large" -> large = Integer.parseInt(value);
        case "--creation" ->
            creation = Fleet.Creation.valueOf(value.toUpperCase().replace('-', '_'));
        case "--threads" -> threads = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--phase-timeout-seconds" -> timeout = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        default ->
            throw new IllegalArgumentException("unknown option " + args[i - 1] + "\n" + USAGE);
      }
    }
    if (kubeBinaries == null || helm == null || operators.isEmpty()) {
      throw new IllegalArgumentException(USAGE);
    }
    return new BenchOptions(
        kubeBinaries,
        helm,
        manifest,
        operators,
        runs,
        large,
        creation,
        threads,
        rounds,
        Duration.ofSeconds(timeout),
        out);
  }
}
