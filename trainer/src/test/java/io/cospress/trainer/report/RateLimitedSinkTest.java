package io.cospress.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitedSinkTest {

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void routineReportsWithinTheIntervalAreDroppedAndMilestonesAlwaysPass() {
    List<String> delivered = new ArrayList<>();
    MutableClock clock = new MutableClock();
    StatusSink sink =
        new RateLimitedSink(
            (report, milestone) -> delivered.add(report.message()), Duration.ofSeconds(5), clock);

    sink.report(report("first"), false);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("too soon"), false);
    sink.report(report("epoch end"), true);
    clock.now = clock.now.plusSeconds(4);
    sink.report(report("still too soon after the milestone"), false);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("due"), false);

    assertThat(delivered).containsExactly("first", "epoch end", "due");
  }

  @Test
  void strictSinkHoldsEarlyMilestonesDeliversTheLatestOncePerIntervalAndFlushesAtClose() {
    List<String> delivered = new ArrayList<>();
    MutableClock clock = new MutableClock();
    StatusSink sink =
        RateLimitedSink.strict(
            (report, milestone) -> delivered.add(report.message() + (milestone ? "!" : "")),
            Duration.ofSeconds(5),
            clock);

    sink.report(report("started"), true);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("epoch 1 done"), true);
    sink.report(report("checkpoint 1"), true);
    sink.report(report("step 5"), false);
    clock.now = clock.now.plusSeconds(4);
    sink.report(report("step 6"), false);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("step 7"), false);
    sink.report(report("too soon"), false);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("finished"), true);
    sink.close();

    assertThat(delivered)
        .as("one delivery per 5 s; held milestones are replaced by later reports, not lost")
        .containsExactly("started!", "step 6!", "finished!");
  }

  @Test
  void strictSinkDropsRoutineReportsWithNothingHeld() {
    List<String> delivered = new ArrayList<>();
    MutableClock clock = new MutableClock();
    StatusSink sink =
        RateLimitedSink.strict(
            (report, milestone) -> delivered.add(report.message()), Duration.ofSeconds(5), clock);

    sink.report(report("first"), false);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("too soon"), false);
    sink.close();

    assertThat(delivered).containsExactly("first");
  }

  /**
   * A trainer killed outright (SIGKILL) delivers nothing it holds: a new checkpoint, what a retry
   * resumes from, reaches the API server at once, as long as it may take later intervals' writes
   * (two ahead); then it waits like any milestone.
   */
  @Test
  void strictSinkSendsANewCheckpointAtOnceTakingLaterIntervalsWrites() {
    List<String> delivered = new ArrayList<>();
    MutableClock clock = new MutableClock();
    StatusSink sink =
        RateLimitedSink.strict(
            (report, milestone) -> delivered.add(report.message() + (milestone ? "!" : "")),
            Duration.ofSeconds(5),
            clock);

    sink.report(report("started", "ckpt-10"), true);
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("epoch 2 done", "ckpt-10"), true); // nothing new: held
    sink.report(report("checkpoint 20", "ckpt-20"), true); // new: at once (next write at 10 s)
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("step 21", "ckpt-20"), false);
    sink.report(report("checkpoint 30", "ckpt-30"), true); // new: at once (next write at 15 s)
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("checkpoint 40", "ckpt-40"), true); // the write at 15 s is 12 s ahead: held
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("step 41", "ckpt-40"), false); // 11 s ahead: still held
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("step 42", "ckpt-40"), false); // 10 s ahead: the held checkpoint goes
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("step 43", "ckpt-40"), false); // next write at 20 s
    clock.now = clock.now.plusSeconds(14);
    sink.report(report("step 44", "ckpt-40"), false);
    sink.close();

    assertThat(delivered)
        .containsExactly("started!", "checkpoint 20!", "checkpoint 30!", "step 42!", "step 44");
  }

  @Test
  void strictSinkWritesOncePerIntervalOnAverageHoweverOftenCheckpointsCome() {
    List<Long> writes = new ArrayList<>();
    MutableClock clock = new MutableClock();
    Instant start = clock.now;
    StatusSink sink =
        RateLimitedSink.strict(
            (report, milestone) -> writes.add(clock.now.toEpochMilli() - start.toEpochMilli()),
            Duration.ofSeconds(5),
            clock);

    // A step every 100 ms and a checkpoint every second, for ten minutes.
    for (int tick = 0; tick < 6000; tick++) {
      boolean checkpoint = tick % 10 == 9;
      sink.report(report("step " + tick, "ckpt-" + (tick / 10)), checkpoint);
      clock.now = clock.now.plusMillis(100);
    }

    assertThat(writes).hasSizeBetween(600 / 5, 600 / 5 + RateLimitedSink.SLOTS_AHEAD + 1);
    for (long from = 0; from < 600_000; from += 1_000) {
      long windowStart = from;
      long inMinute =
          writes.stream().filter(t -> t >= windowStart && t < windowStart + 60_000).count();
      assertThat(inMinute)
          .as("writes in the minute from " + from + " ms")
          .isLessThanOrEqualTo(60 / 5 + RateLimitedSink.SLOTS_AHEAD + 1);
    }
  }

  @Test
  void aFailedDeliveryLeavesTheCheckpointNewsForTheRetry() {
    List<String> delivered = new ArrayList<>();
    MutableClock clock = new MutableClock();
    boolean[] fail = {false};
    StatusSink sink =
        RateLimitedSink.strict(
            (report, milestone) -> {
              if (fail[0]) {
                throw new IllegalStateException("rejected");
              }
              delivered.add(report.message());
            },
            Duration.ofSeconds(5),
            clock);

    sink.report(report("started", null), true);
    clock.now = clock.now.plusSeconds(1);
    fail[0] = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> sink.report(report("checkpoint 10", "ckpt-10"), true))
        .hasMessage("rejected");
    fail[0] = false;
    clock.now = clock.now.plusSeconds(1);
    sink.report(report("checkpoint 10, again", "ckpt-10"), true); // the retry: still news

    assertThat(delivered).containsExactly("started", "checkpoint 10, again");
  }

  private static TrainerReport report(String message) {
    return new TrainerReport("Running", message, null, null, null);
  }

  private static TrainerReport report(String message, String checkpoint) {
    return new TrainerReport(
        "Running",
        message,
        null,
        null,
        checkpoint == null ? null : new CheckpointReport(checkpoint, 1, 1L, null, null, null));
  }
}
