package io.cospress.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The background sink never makes its caller (the training thread) wait for a slow or failing sink,
 * keeps only the newest report while one is in flight, and still delivers the last report once the
 * sink answers again.
 */
@Timeout(30)
class BackgroundSinkTest {

  private static final Duration RETRY = Duration.ofMillis(50);

  /** What reached the slow sink: the reports it accepted, in order. */
  private static final class SlowSink implements StatusSink {
    final List<TrainerReport> accepted = new CopyOnWriteArrayList<>();
    final List<Boolean> milestones = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstCall = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean blocks;
    volatile int failuresLeft;

    @Override
    public void report(TrainerReport report, boolean milestone) {
      calls.incrementAndGet();
      firstCall.countDown();
      if (blocks) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted");
        }
      }
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new IllegalStateException("API server unreachable");
      }
      accepted.add(report);
      milestones.add(milestone);
    }
  }

  private static TrainerReport report(long step) {
    return new TrainerReport(
        "Running",
        null,
        new ProgressReport(
            "0/1", 0, 1, step, 100L, step / 100.0, null, 1e-3, null, "2025-01-01T00:00:00Z"),
        MetricsReport.NONE,
        null);
  }

  @Test
  void reportsReturnAtOnceWhileTheSinkIsStuckAndOnlyTheNewestWaits() throws Exception {
    SlowSink slow = new SlowSink();
    slow.blocks = true;
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ofSeconds(5));

    sink.report(report(1), false);
    assertThat(slow.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
    // The sink is stuck in its first call; a thousand more reports must not wait for it.
    for (long step = 2; step <= 1000; step++) {
      sink.report(report(step), false);
    }
    assertThat(slow.calls).hasValue(1);

    slow.release.countDown();
    assertThat(sink.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(slow.accepted)
        .extracting(r -> r.progress().step())
        .containsExactly(1L, 1000L); // 998 reports replaced by newer ones, never sent
    sink.close();
  }

  @Test
  void aMilestoneReplacedByANewerReportMakesThatOneAMilestone() throws Exception {
    SlowSink slow = new SlowSink();
    slow.blocks = true;
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ofSeconds(5));
    sink.report(report(1), false);
    assertThat(slow.firstCall.await(5, TimeUnit.SECONDS)).isTrue();

    sink.report(report(2), true);
    sink.report(report(3), false);
    slow.release.countDown();

    assertThat(sink.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(slow.accepted).extracting(r -> r.progress().step()).containsExactly(1L, 3L);
    assertThat(slow.milestones).containsExactly(false, true);
    sink.close();
  }

  @Test
  void theLastReportIsDeliveredOnceTheSinkRecovers() {
    SlowSink slow = new SlowSink();
    slow.failuresLeft = 3;
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ofSeconds(10));

    sink.report(report(7), true);
    sink.close(); // waits (bounded) while the failing sink is retried

    assertThat(slow.calls).hasValue(4);
    assertThat(slow.accepted).extracting(r -> r.progress().step()).containsExactly(7L);
  }

  @Test
  void flushDoesNotWaitForASinkThatIsFailing() throws Exception {
    SlowSink slow = new SlowSink();
    slow.failuresLeft = Integer.MAX_VALUE;
    BackgroundSink sink = new BackgroundSink(slow, Duration.ofMinutes(10), Duration.ZERO);
    sink.report(report(1), true);
    assertThat(slow.firstCall.await(5, TimeUnit.SECONDS)).isTrue();

    // The class-level timeout fails this test if flush waits out its bound.
    assertThat(sink.flush(Duration.ofMinutes(10))).isFalse();
    sink.close();
  }

  @Test
  void afterAFlushTimesOutOnAStuckSinkTheNextOneDoesNotWait() throws Exception {
    SlowSink slow = new SlowSink();
    slow.blocks = true;
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ZERO);
    sink.report(report(1), true);
    assertThat(slow.firstCall.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(sink.flush(Duration.ofMillis(100))).isFalse();
    sink.report(report(2), true);
    // The class-level timeout fails this test if flush waits out its bound.
    assertThat(sink.flush(Duration.ofMinutes(10))).isFalse();

    slow.release.countDown();
    while (slow.accepted.size() < 2) {
      Thread.sleep(10); // the stuck call returns and the next one goes through: answering again
    }
    sink.report(report(3), true);
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue(); // healthy again: waits and delivers
    assertThat(slow.accepted).extracting(r -> r.progress().step()).endsWith(3L);
    sink.close();
  }

  @Test
  void flushWaitsForAHealthySinkToTakeTheReport() {
    SlowSink slow = new SlowSink();
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ofSeconds(5));

    sink.report(report(5), true);

    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(slow.accepted).extracting(r -> r.progress().step()).containsExactly(5L);
    sink.close();
  }

  @Test
  void closeGivesUpAfterItsBoundWhenTheSinkNeverAnswers() throws Exception {
    SlowSink slow = new SlowSink();
    slow.blocks = true;
    BackgroundSink sink = new BackgroundSink(slow, RETRY, Duration.ofMillis(200));
    sink.report(report(1), true);
    assertThat(slow.firstCall.await(5, TimeUnit.SECONDS)).isTrue();
    sink.report(report(2), true);

    sink.close(); // the class-level timeout fails this test if close waits for the sink

    assertThat(slow.accepted).isEmpty();
  }
}
