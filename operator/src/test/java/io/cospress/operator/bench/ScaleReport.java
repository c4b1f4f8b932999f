package io.cospress.operator.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/** The summary table: one column per operator build and round, one row per figure. */
final class ScaleReport {

  private static final double MIB = 1024 * 1024;

  private final List<ScaleRound.Result> results;
  private final List<String[]> rows = new ArrayList<>();

  ScaleReport(List<ScaleRound.Result> results) {
    this.results = results;
  }

  String markdown() {
    rows.clear();
    row("HTTP client jars", r -> String.join(" + ", r.httpClients()));
    creation("", ScaleRound.Result::fleet);
    row("delete: all runs gone after", r -> seconds(r.fleetDeletion().runsGoneSeconds()));
    row("delete: operator idle after", r -> seconds(r.fleetDeletion().idleAfterSeconds()));
    row(
        "delete: operator CPU while idle",
        r -> "%.1f %% of a core".formatted(100 * r.fleetDeletion().quietCpuShare()));
    if (results.stream().anyMatch(r -> r.large() != null)) {
      creation("large ", ScaleRound.Result::large);
    }
    row("operator WARN/ERROR log lines", r -> Integer.toString(r.operatorWarnings().size()));
    StringBuilder out = new StringBuilder("| figure |");
    for (ScaleRound.Result r : results) {
      out.append(' ').append(r.label()).append(" |");
    }
    out.append("\n|---|").append("---|".repeat(results.size())).append('\n');
    for (String[] row : rows) {
      out.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return out.toString();
  }

  private void creation(String prefix, Function<ScaleRound.Result, CreationResult> phase) {
    Function<Function<CreationResult, String>, Function<ScaleRound.Result, String>> of =
        f -> r -> phase.apply(r) == null ? "—" : f.apply(phase.apply(r));
    String n = prefix + "fleet";
    row(
        n + ": runs created in",
        of.apply(c -> "%d runs in %s".formatted(c.runs(), seconds(c.createSeconds()))));
    row(n + ": last run created → last Job", of.apply(c -> seconds(c.lastRunToLastJobSeconds())));
    row(
        n + ": last run created → last status",
        of.apply(c -> seconds(c.lastRunToLastStatusSeconds())));
    row(n + ": Jobs created", of.apply(c -> Integer.toString(c.jobs())));
    row(
        n + ": operator CPU per run",
        of.apply(c -> millis(1000 * c.operatorCpuSeconds() / c.runs())));
    row(
        n + ": API server + etcd CPU per run",
        of.apply(c -> millis(1000 * c.controlPlaneCpuSeconds() / c.runs())));
    row(n + ": reconciles per run", of.apply(c -> "%.2f".formatted(c.reconciles() / c.runs())));
    row(
        n + ": reconcile p50 / p99",
        of.apply(c -> millis(c.reconcileP50Millis()) + " / " + millis(c.reconcileP99Millis())));
    row(
        n + ": operator API writes per run",
        of.apply(c -> "%.2f".formatted(c.operatorWrites() / (double) c.runs())));
    for (String verb : verbs(phase)) {
      row(
          n + ": &nbsp; " + verb + " per run",
          of.apply(
              c ->
                  "%.3f".formatted(c.requestsByVerb().getOrDefault(verb, 0L) / (double) c.runs())));
    }
    row(
        n + ": runs with a repeated status write",
        of.apply(c -> Long.toString(c.runsWithRepeatedStatusWrites())));
    row(n + ": repeated events", of.apply(c -> Long.toString(c.repeatedEvents())));
    row(
        n + ": failed operator requests",
        of.apply(c -> c.failedRequests().isEmpty() ? "0" : c.failedRequests().toString()));
    row(n + ": heap used (before GC)", of.apply(c -> mib(c.heapUsedBytes())));
    row(n + ": heap live (class histogram)", of.apply(c -> mib(c.heapHistogramBytes())));
    row(n + ": heap used after full GC, as scraped", of.apply(c -> mib(c.heapLiveBytes())));
    row(
        n + ": heap committed / max",
        of.apply(c -> mib(c.heapCommittedBytes()) + " / " + mib(c.heapMaxBytes())));
    row(n + ": RSS / peak RSS", of.apply(c -> mib(c.rssBytes()) + " / " + mib(c.peakRssBytes())));
    row(
        n + ": cospress_run_phase series / scrape size",
        of.apply(c -> c.runPhaseSeries() + " / " + "%.0f KiB".formatted(c.scrapeBytes() / 1024.0)));
  }

  private List<String> verbs(Function<ScaleRound.Result, CreationResult> phase) {
    TreeSet<String> verbs = new TreeSet<>();
    for (ScaleRound.Result r : results) {
      if (phase.apply(r) != null) {
        verbs.addAll(phase.apply(r).requestsByVerb().keySet());
      }
    }
    return List.copyOf(verbs);
  }

  private void row(String name, Function<ScaleRound.Result, String> value) {
    String[] row = new String[results.size() + 1];
    row[0] = name;
    for (int i = 0; i < results.size(); i++) {
      row[i + 1] = value.apply(results.get(i));
    }
    rows.add(row);
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "not reached" : String.format(Locale.ROOT, "%.1f s", s);
  }

  private static String millis(double ms) {
    return Double.isNaN(ms) ? "—" : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / MIB);
  }
}
