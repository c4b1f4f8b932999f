package io.cospress.operator.metrics;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.RestartCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own metrics (docs/observability.md), beside JOSDK's reconcile metrics: runs by
 * phase, phase transitions and restarts by cause. Labels are bounded: phase, cause and namespace.
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private volatile Supplier<Stream<DistillationRun>> runs = Stream::empty;

  public OperatorMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (RunPhase phase : RunPhase.values()) {
      Gauge.builder("cospress.runs", () -> runs.get().filter(r -> phaseOf(r) == phase).count())
          .description("DistillationRuns by phase, as this operator last saw them")
          .tag("phase", phase.name())
          .strongReference(true)
          .register(registry);
    }
    registry.getPrometheusRegistry().register(new RunPhaseCollector(() -> runs));
  }

  /**
   * Where the runs are counted from: the controller's cache of DistillationRuns, listed whole. The
   * per-run series are computed from it when scraped, so a new or deleted run needs no call here.
   */
  public void countRunsFrom(Supplier<Stream<DistillationRun>> source) {
    this.runs = source;
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

  static RunPhase phaseOf(DistillationRun run) {
    return run.getStatus() == null ? null : run.getStatus().getPhase();
  }
}
