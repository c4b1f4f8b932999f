package io.cospress.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.job.TestRuns;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OperatorMetrics metrics = new OperatorMetrics(registry);
  private final List<DistillationRun> cache = new ArrayList<>();

  OperatorMetricsTest() {
    metrics.countRunsFrom(
        () -> new ArrayList<>(cache).stream(),
        (namespace, name) ->
            new ArrayList<>(cache)
                .stream()
                    .filter(
                        r ->
                            r.getMetadata().getNamespace().equals(namespace)
                                && r.getMetadata().getName().equals(name))
                    .findFirst());
  }

  @Test
  void runPhaseSeriesIsOneForTheCurrentPhaseAndFollowsTheCache() {
    DistillationRun run = withPhase(TestRuns.run("sweep-a"), RunPhase.Running);
    cache.add(run);
    metrics.refreshRunPhases();

    assertThat(registry.scrape())
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Running\",run=\"sweep-a\"} 1")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Failed\",run=\"sweep-a\"} 0");

    cache.set(0, withPhase(TestRuns.run("sweep-a"), RunPhase.Failed));

    assertThat(registry.scrape())
        .as("values are read at scrape time, without a refresh")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Failed\",run=\"sweep-a\"} 1")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Running\",run=\"sweep-a\"} 0");
  }

  @Test
  void deletedOrDeletingRunLeavesNoSeries() {
    cache.add(withPhase(TestRuns.run("gone"), RunPhase.Succeeded));
    metrics.refreshRunPhases();
    assertThat(registry.scrape()).contains("run=\"gone\"");

    DistillationRun deleting = withPhase(TestRuns.run("gone"), RunPhase.Succeeded);
    deleting.getMetadata().setDeletionTimestamp("2026-11-26T09:00:00Z");
    cache.set(0, deleting);
    metrics.refreshRunPhases();

    assertThat(registry.scrape()).doesNotContain("run=\"gone\"");
  }

  @Test
  void runsByPhaseCountsTheCacheAndRestartsAreCountedByCause() {
    cache.add(withPhase(TestRuns.run("a"), RunPhase.Running));
    cache.add(withPhase(TestRuns.run("b"), RunPhase.Running));
    cache.add(withPhase(TestRuns.run("c"), RunPhase.Queued));
    metrics.restart(cache.get(0), io.cospress.operator.status.RestartCause.PREEMPTION);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("cospress_runs{phase=\"Running\"} 2")
        .contains("cospress_runs{phase=\"Queued\"} 1")
        .contains("cospress_run_restarts_total{cause=\"preemption\",namespace=\"vision\"} 1");
  }

  private static DistillationRun withPhase(DistillationRun run, RunPhase phase) {
    DistillationRunStatus status = new DistillationRunStatus();
    status.setPhase(phase);
    run.setStatus(status);
    return run;
  }
}
