package io.cospress.trainer.report;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Delivers at most one report per interval. Routine reports that come sooner are dropped. What
 * happens to a milestone that comes sooner depends on the sink: to the console and status.json it
 * passes at once, so every epoch end stays on record; to the API server ({@link #strict}) it is
 * held, replaced by any later report (each carries the whole picture), and delivered with the first
 * report after the interval or at {@link #close()}, so a fleet of trainers with short epochs still
 * writes each run's status once per interval on average.
 *
 * <p>One exception in the strict sink: a milestone that names a checkpoint the API server has not
 * been told of yet takes the next interval's write ahead of time, up to {@value #SLOTS_AHEAD}
 * intervals ahead. A trainer killed outright (SIGKILL, a lost node) gets no chance to deliver a
 * held report, and its last checkpoint is what a retry resumes from. The writes it takes early are
 * the ones later reports would have had: the next routine report waits for the interval after them,
 * so over any T seconds there are at most {@value #SLOTS_AHEAD} + 1 + T / interval writes (plus the
 * one at close), however often checkpoints come.
 */
public final class RateLimitedSink implements StatusSink {

  /** How many intervals' writes a new checkpoint may take ahead of time. */
  static final int SLOTS_AHEAD = 2;

  private final StatusSink delegate;
  private final long intervalMillis;
  private final Clock clock;
  private final boolean milestonesWait;

  /** When the next write is due; every write moves it one interval on (from now at the latest). */
  private long nextSlotMillis = Long.MIN_VALUE;

  /** The checkpoint the last delivered report named, so a new one is recognised. */
  private String deliveredCheckpoint;

  private TrainerReport held;
  private boolean heldIsMilestone;

  /** Milestones always pass at once. */
  public RateLimitedSink(StatusSink delegate, Duration interval, Clock clock) {
    this(delegate, interval, clock, false);
  }

  private RateLimitedSink(
      StatusSink delegate, Duration interval, Clock clock, boolean milestonesWait) {
    this.delegate = delegate;
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
    this.milestonesWait = milestonesWait;
  }

  /**
   * At most one delivery per interval on average, milestones included (they wait), except that a
   * new checkpoint goes at once while it may take a later interval's write; plus one at close.
   */
  public static RateLimitedSink strict(StatusSink delegate, Duration interval, Clock clock) {
    return new RateLimitedSink(delegate, interval, clock, true);
  }

  @Override
  public synchronized void report(TrainerReport report, boolean milestone) {
    long now = clock.millis();
    boolean due = nextSlotMillis == Long.MIN_VALUE || now >= nextSlotMillis;
    boolean isMilestone = milestone || heldIsMilestone;
    if (due || (milestone && !milestonesWait)) {
      deliver(report, isMilestone, now);
    } else if (isMilestone && namesNewCheckpoint(report) && canTakeASlotEarly(now)) {
      deliver(report, true, nextSlotMillis);
    } else if (milestone || held != null) {
      held = report;
      heldIsMilestone = true;
    }
  }

  private boolean namesNewCheckpoint(TrainerReport report) {
    return report.checkpoint() != null
        && report.checkpoint().latest() != null
        && !Objects.equals(report.checkpoint().latest(), deliveredCheckpoint);
  }

  /** Whether the next write is at most {@link #SLOTS_AHEAD} intervals away. */
  private boolean canTakeASlotEarly(long now) {
    return nextSlotMillis - now <= SLOTS_AHEAD * intervalMillis;
  }

  /**
   * @param slot the time of the write this delivery uses; the next one is an interval later
   */
  private void deliver(TrainerReport report, boolean milestone, long slot) {
    nextSlotMillis = slot + intervalMillis;
    held = null;
    heldIsMilestone = false;
    delegate.report(report, milestone);
    // Only once it got through: a failed report is retried (BackgroundSink), still as news.
    if (report.checkpoint() != null) {
      deliveredCheckpoint = report.checkpoint().latest();
    }
  }

  @Override
  public synchronized void close() {
    if (held != null) {
      TrainerReport last = held;
      held = null;
      heldIsMilestone = false;
      delegate.report(last, true);
    }
    delegate.close();
  }
}
