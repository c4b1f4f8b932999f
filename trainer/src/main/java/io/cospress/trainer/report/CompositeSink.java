package io.cospress.trainer.report;

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

  @Override
  public void close() {
    sinks.forEach(StatusSink::close);
  }
}
