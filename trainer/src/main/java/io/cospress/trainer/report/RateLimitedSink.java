package io.cospress.trainer.report;

import java.time.Clock;
import java.time.Duration;

/**
 * Delivers at most one report per interval. Routine reports that come sooner are dropped. What
 * happens to a milestone that comes sooner depends on the sink: to the console and status.json it
 * passes at once, so every epoch end stays on record; to the API server ({@link #strict}) it is
 * held, replaced by any later report (each carries the whole picture), and delivered with the first
 * report after the interval or at {@link #close()}, so a fleet of trainers with short epochs still
 * writes each run's status at most once per interval.
 */
public final class RateLimitedSink implements StatusSink {

  private final StatusSink delegate;
  private final Duration interval;
  private final Clock clock;
  private final boolean milestonesWait;
  private long lastDeliveredMillis = Long.MIN_VALUE;
  private TrainerReport held;
  private boolean heldIsMilestone;

  /** Milestones always pass at once. */
  public RateLimitedSink(StatusSink delegate, Duration interval, Clock clock) {
    this(delegate, interval, clock, false);
  }

  private RateLimitedSink(
      StatusSink delegate, Duration interval, Clock clock, boolean milestonesWait) {
    this.delegate = delegate;
    this.interval = interval;
    this.clock = clock;
    this.milestonesWait = milestonesWait;
  }

  /** At most one delivery per interval, milestones included (they wait); plus one at close. */
  public static RateLimitedSink strict(StatusSink delegate, Duration interval, Clock clock) {
    return new RateLimitedSink(delegate, interval, clock, true);
  }

  @Override
  public synchronized void report(TrainerReport report, boolean milestone) {
    long now = clock.millis();
    boolean due =
        lastDeliveredMillis == Long.MIN_VALUE || now - lastDeliveredMillis >= interval.toMillis();
    if (due || (milestone && !milestonesWait)) {
      deliver(report, milestone || heldIsMilestone, now);
    } else if (milestone || held != null) {
      held = report;
      heldIsMilestone = true;
    }
  }

  private void deliver(TrainerReport report, boolean milestone, long now) {
    lastDeliveredMillis = now;
    held = null;
    heldIsMilestone = false;
    delegate.report(report, milestone);
  }

  @Override
  public synchronized void close() {
    if (held != null) {
      deliver(held, true, clock.millis());
    }
    delegate.close();
  }
}
