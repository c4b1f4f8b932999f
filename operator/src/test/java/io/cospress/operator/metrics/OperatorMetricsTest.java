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
    metrics.countRunsFrom(() -> new ArrayList<>(cache).stream());
  }

  @Test
  void runPhaseSeriesIsOneForTheCurrentPhaseAndFollowsTheCache() {
    DistillationRun run = withPhase(TestRuns.run("sweep-a"), RunPhase.Running);
    cache.add(run);

    assertThat(registry.scrape())
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Running\",run=\"sweep-a\"} 1")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Failed\",run=\"sweep-a\"} 0");

    cache.set(0, withPhase(TestRuns.run("sweep-a"), RunPhase.Failed));

    assertThat(registry.scrape())
        .as("values are read from the cache at scrape time")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Failed\",run=\"sweep-a\"} 1")
        .contains("cospress_run_phase{namespace=\"vision\",phase=\"Running\",run=\"sweep-a\"} 0");
  }

  @Test
  void deletedOrDeletingRunLeavesNoSeries() {
    cache.add(withPhase(TestRuns.run("gone"), RunPhase.Succeeded));
    cache.add(withPhase(TestRuns.run("deleting"), RunPhase.Running));
    assertThat(registry.scrape()).contains("run=\"gone\"").contains("run=\"deleting\"");

    cache.get(1).getMetadata().setDeletionTimestamp("2026-11-26T09:00:00Z");
    cache.remove(0);

    assertThat(registry.scrape()).doesNotContain("run=\"gone\"").doesNotContain("run=\"deleting\"");
  }

  @Test
  void aThousandRunsAreSixThousandSeriesAndNoMetersInTheRegistry() {
    for (int i = 0; i < 1000; i++) {
      cache.add(withPhase(TestRuns.run("run-" + i), RunPhase.Pending));
    }

    String scrape = registry.scrape();

    assertThat(scrape.lines().filter(l -> l.startsWith("cospress_run_phase{")).count())
        .isEqualTo(6000);
    assertThat(registry.getMeters())
        .as("no meter per run: the series are computed when scraped")
        .noneMatch(m -> m.getId().getTag("run") != null);
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
