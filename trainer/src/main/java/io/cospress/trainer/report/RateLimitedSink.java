package io.cospress.trainer.report;

import java.time.Clock;
import java.time.Duration;

/**
 * Drops routine reports that come sooner than the interval after the last delivered one, so a fleet
 * of trainers cannot flood the API server; milestones always pass.
 */
public final class RateLimitedSink implements StatusSink {

  private final StatusSink delegate;
  private final Duration interval;
  private final Clock clock;
  private long lastDeliveredMillis = Long.MIN_VALUE;

  public RateLimitedSink(StatusSink delegate, Duration interval, Clock clock) {
    this.delegate = delegate;
    this.interval = interval;
    this.clock = clock;
  }

  @Override
  public void report(TrainerReport report, boolean milestone) {
    long now = clock.millis();
    if (milestone
        || lastDeliveredMillis == Long.MIN_VALUE
        || now - lastDeliveredMillis >= interval.toMillis()) {
      lastDeliveredMillis = now;
      delegate.report(report, milestone);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
