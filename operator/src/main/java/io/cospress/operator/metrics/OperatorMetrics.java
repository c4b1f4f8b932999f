package io.cospress.operator.metrics;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.RestartCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operator's own metrics (docs/observability.md), beside JOSDK's reconcile metrics: runs by
 * phase, phase transitions and restarts by cause. Labels are bounded: phase, cause and namespace.
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private final MultiGauge runPhase;
  private volatile Supplier<Stream<DistillationRun>> runs = Stream::empty;
  private volatile BiFunction<String, String, Optional<DistillationRun>> lookup =
      (namespace, name) -> Optional.empty();
  private Set<List<String>> listedRuns = Set.of();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (RunPhase phase : RunPhase.values()) {
      Gauge.builder("cospress.runs", () -> runs.get().filter(r -> phaseOf(r) == phase).count())
          .description("DistillationRuns by phase, as this operator last saw them")
          .tag("phase", phase.name())
          .strongReference(true)
          .register(registry);
    }
    runPhase =
        MultiGauge.builder("cospress.run.phase")
            .description(
                "1 for the phase each DistillationRun is in, 0 for the others (alerts name the run)")
            .register(registry);
  }

  /**
   * Re-lists the per-run phase series when the cache's runs changed since the last call, so runs
   * created since appear and deleted ones (or ones being deleted) disappear. Values are read from
   * the cache at scrape time, so a phase change needs no refresh.
   */
  public synchronized void refreshRunPhases() {
    Set<List<String>> current =
        runs.get()
            .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
            .map(r -> List.of(r.getMetadata().getNamespace(), r.getMetadata().getName()))
            .collect(Collectors.toSet());
    if (current.equals(listedRuns)) {
      return;
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (List<String> run : current) {
      String namespace = run.get(0);
      String name = run.get(1);
      for (RunPhase phase : RunPhase.values()) {
        rows.add(
            MultiGauge.Row.of(
                Tags.of("namespace", namespace, "run", name, "phase", phase.name()),
                () -> currentPhase(namespace, name) == phase ? 1 : 0));
      }
    }
    runPhase.register(rows, true);
    listedRuns = current;
  }

  private RunPhase currentPhase(String namespace, String name) {
    return lookup.apply(namespace, name).map(OperatorMetrics::phaseOf).orElse(null);
  }

  /**
   * Where the runs are counted from: the controller's cache of DistillationRuns, listed whole and
   * looked up by namespace and name.
   */
  public void countRunsFrom(
      Supplier<Stream<DistillationRun>> source,
      BiFunction<String, String, Optional<DistillationRun>> byNamespaceAndName) {
    this.runs = source;
    this.lookup = byNamespaceAndName;
  }

  public void transition(DistillationRun run, RunPhase from, RunPhase to) {
    Counter.builder("cospress.run.transitions")
        .description("Phase transitions of DistillationRuns")
        .tag("namespace", run.getMetadata().getNamespace())
        .tag("from", from == null ? "None" : from.name())
        .tag("to", to.name())
        .register(registry)
        .increment();
  }

  public void restart(DistillationRun run, RestartCause cause) {
    Counter.builder("cospress.run.restarts")
        .description("Trainer restarts by cause")
        .tag("namespace", run.getMetadata().getNamespace())
        .tag("cause", cause.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  private static RunPhase phaseOf(DistillationRun run) {
    return run.getStatus() == null ? null : run.getStatus().getPhase();
  }
}
