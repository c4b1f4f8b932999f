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

  private static TrainerReport report(String message) {
    return new TrainerReport("Running", message, null, null, null);
  }
}
