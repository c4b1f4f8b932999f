package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.report.BackgroundSink;
import io.cospress.trainer.report.StatusSink;
import io.cospress.trainer.report.TrainerReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A status sink that hangs (an API server that accepts connections and never answers) does not hold
 * training up: the run trains every step, checkpoints and finishes while the sink is still inside
 * its first call, and the last report arrives once the sink answers again.
 */
class ReportingNeverStallsTrainingTest {

  @TempDir Path work;

  /** A sink stuck in its first call until released; records what it accepted afterwards. */
  private static final class HangingSink implements StatusSink {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    final List<TrainerReport> accepted = new CopyOnWriteArrayList<>();

    @Override
    public void report(TrainerReport report, boolean milestone) {
      calls.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      accepted.add(report);
    }
  }

  @Test
  @Timeout(600)
  void trainingFinishesWhileTheSinkHangsAndTheLastReportArrivesOnceItAnswers() throws Exception {
    RunManifest manifest = SampleRun.load(work, SampleRun.manifest(256, 2, false, ""));
    HangingSink hanging = new HangingSink();
    BackgroundSink sink =
        new BackgroundSink(hanging, Duration.ofMillis(100), Duration.ofSeconds(60));

    RunResult result;
    try (TrainingSession session = SampleRun.open(manifest, work.resolve("out"), null)) {
      result =
          session.run(
              sink,
              new TrainerMetrics(new SimpleMeterRegistry(), "tests", "sample"),
              new StopSignal());
    }

    assertThat(result.completed()).isTrue();
    assertThat(result.step()).isEqualTo(2 * (256 / 64));
    assertThat(hanging.calls).as("the sink never returned during training").hasValue(1);
    assertThat(hanging.accepted).isEmpty();

    hanging.release.countDown();
    sink.close();

    TrainerReport last = hanging.accepted.get(hanging.accepted.size() - 1);
    assertThat(last.state()).isEqualTo("Succeeded");
    assertThat(last.progress().step()).isEqualTo(result.step());
    assertThat(last.checkpoint().latest()).isEqualTo("ckpt-0000000008");
    // The first report (stuck all along) and the newest; everything between was coalesced.
    assertThat(hanging.accepted).hasSize(2);
  }
}
