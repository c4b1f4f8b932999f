package io.cospress.trainer.bench;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * libtorch's own operator profiler around a piece of work, through DJL. It records every ATen op
 * the engine runs (each op called over JNI, the TorchScript interpreter's ops and the autograd
 * engine's backward functions) with its duration and input shapes, as a Chrome trace; the phase
 * boundaries of the profiled step go to a side file so {@code tools/profile_summary.py} can split
 * the trace by phase.
 */
final class NativeProfile {

  private NativeProfile() {}

  /**
   * Runs {@code work} under the profiler, writes the trace to {@code trace} and the phases to
   * {@code trace + ".phases.json"} (microseconds from the start of the trace).
   */
  static void record(Path trace, PhaseClock clock, Runnable work) throws IOException {
    Path parent = trace.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    long start = System.nanoTime();
    JniUtils.startProfile(false, true, false);
    try {
      work.run();
    } finally {
      JniUtils.stopProfile(trace.toString());
    }
    writePhases(Path.of(trace + ".phases.json"), clock.spans(), start);
  }

  private static void writePhases(Path file, List<PhaseClock.Span> spans, long originNanos)
      throws IOException {
    StringJoiner json = new StringJoiner(",\n  ", "[\n  ", "\n]\n");
    for (PhaseClock.Span span : spans) {
      json.add(
          String.format(
              Locale.ROOT,
              "{\"phase\": \"%s\", \"start_us\": %.1f, \"end_us\": %.1f}",
              span.phase().name().toLowerCase(Locale.ROOT),
              (span.startNanos() - originNanos) / 1e3,
              (span.endNanos() - originNanos) / 1e3));
    }
    Files.writeString(file, json.toString());
  }
}
