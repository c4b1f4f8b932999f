package io.cospress.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator at fleet scale (hack/operator-scale-bench.sh runs it): each operator build, run as
 * the chart runs it against a real API server, turns a fleet of runs into Jobs, is measured at the
 * API server (audit log) and in its own process (CPU, heap, RSS, JOSDK's reconcile timer), sees the
 * fleet deleted, and then a large fleet for memory. With several builds, rounds alternate their
 * order so a machine that gets busier favours neither.
 */
public final class FleetScaleBenchmark {

  private FleetScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(options.out());
    List<ScaleRound.Result> results = new ArrayList<>();
    List<Map.Entry<String, Path>> operators = new ArrayList<>(options.operators().entrySet());
    for (int round = 1; round <= options.rounds(); round++) {
      List<Map.Entry<String, Path>> order = new ArrayList<>(operators);
      if (round % 2 == 0) {
        java.util.Collections.reverse(order);
      }
      for (Map.Entry<String, Path> operator : order) {
        String label = options.rounds() == 1 ? operator.getKey() : operator.getKey() + " #" + round;
        Path work = options.out().resolve("work-" + label.replaceAll("[^a-zA-Z0-9]", ""));
        deleteRecursively(work);
        ScaleRound.progress(label + ": load " + loadAverage() + ", work dir " + work);
        ScaleRound.Result result =
            new ScaleRound(options).run(label, operator.getValue().toAbsolutePath(), work);
        ScaleRound.progress(label + ": done, load " + loadAverage());
        results.add(result);
        String table = new ScaleReport(results).markdown();
        Files.writeString(options.out().resolve("summary.md"), table);
        new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(options.out().resolve("results.json").toFile(), results);
      }
    }
    System.out.println(new ScaleReport(results).markdown());
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static String loadAverage() throws java.io.IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
