package io.cospress.operator.metrics;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code cospress_run_phase{namespace,run,phase}}, computed from the controller's cache when
 * Prometheus scrapes: one pass over the runs per scrape and nothing kept between scrapes, so a
 * fleet that grows or shrinks costs no bookkeeping on the reconcile path and no meters per run.
 */
final class RunPhaseCollector implements Collector {

  static final String NAME = "cospress_run_phase";
  private static final RunPhase[] PHASES = RunPhase.values();

  private final Supplier<Supplier<Stream<DistillationRun>>> runs;

  /**
   * @param runs the current source of runs (it is set once the controller's cache exists)
   */
  RunPhaseCollector(Supplier<Supplier<Stream<DistillationRun>>> runs) {
    this.runs = runs;
  }

  @Override
  public MetricSnapshot collect() {
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder()
            .name(NAME)
            .help(
                "1 for the phase each DistillationRun is in, 0 for the others (alerts name the"
                    + " run)");
    runs.get()
        .get()
        .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
        .forEach(
            run -> {
              RunPhase current = OperatorMetrics.phaseOf(run);
              String namespace = run.getMetadata().getNamespace();
              String name = run.getMetadata().getName();
              for (RunPhase phase : PHASES) {
                gauge.dataPoint(
                    GaugeDataPointSnapshot.builder()
                        .labels(
                            Labels.of("namespace", namespace, "phase", phase.name(), "run", name))
                        .value(phase == current ? 1 : 0)
                        .build());
              }
            });
    return gauge.build();
  }

  @Override
  public String getPrometheusName() {
    return NAME;
  }
}
