package io.cospress.trainer.bench;

import io.cospress.trainer.train.StepPhase;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Wall time per {@link StepPhase}, summed over the steps it watched, and optionally the boundaries
 * of every phase (for lining phases up with a profiler trace).
 */
final class PhaseClock implements StepPhase.Listener {

  /** One phase of one step, in nanoseconds of {@link System#nanoTime()}. */
  record Span(StepPhase phase, long startNanos, long endNanos) {}

  private final Map<StepPhase, Long> totals = new EnumMap<>(StepPhase.class);
  private final List<Span> spans = new ArrayList<>();
  private final boolean keepSpans;
  private long last;
  private long steps;

  PhaseClock(boolean keepSpans) {
    this.keepSpans = keepSpans;
  }

  /** Call right before a step starts. */
  void stepStarts() {
    last = System.nanoTime();
    steps++;
  }

  @Override
  public void ended(StepPhase phase) {
    long now = System.nanoTime();
    totals.merge(phase, now - last, Long::sum);
    if (keepSpans) {
      spans.add(new Span(phase, last, now));
    }
    last = now;
  }

  List<Span> spans() {
    return spans;
  }

  /** {@code {"teacher": ms, ...}}: mean milliseconds per step of each phase. */
  String meanMillisJson() {
    StringJoiner json = new StringJoiner(", ", "{", "}");
    for (StepPhase phase : StepPhase.values()) {
      double ms = steps == 0 ? 0 : totals.getOrDefault(phase, 0L) / 1e6 / steps;
      json.add(
          String.format(Locale.ROOT, "\"%s\": %.3f", phase.name().toLowerCase(Locale.ROOT), ms));
    }
    return json.toString();
  }
}
