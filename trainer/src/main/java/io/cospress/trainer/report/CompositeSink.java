package io.cospress.trainer.report;

import java.time.Duration;
import java.util.List;

/** Sends each report to several sinks (for example the console and status.json). */
public final class CompositeSink implements StatusSink {

  private final List<StatusSink> sinks;

  public CompositeSink(List<StatusSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public void report(TrainerReport report, boolean milestone) {
    for (StatusSink sink : sinks) {
      sink.report(report, milestone);
    }
  }

  /** Flushes every sink, each within what is left of {@code maxWait}. */
  @Override
  public boolean flush(Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    boolean all = true;
    for (StatusSink sink : sinks) {
      all &= sink.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    return all;
  }

  @Override
  public void close() {
    sinks.forEach(StatusSink::close);
  }
}
