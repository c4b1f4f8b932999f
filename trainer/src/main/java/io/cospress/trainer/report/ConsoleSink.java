package io.cospress.trainer.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Human-readable progress: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI),
 * with a full line at every milestone so the history survives.
 */
public final class ConsoleSink implements StatusSink {

  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean terminal;
  private boolean barShown;

  public ConsoleSink(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** True when stdout is an interactive terminal. */
  public static boolean stdoutIsTerminal() {
    return System.console() != null && System.getenv("CI") == null;
  }

  @Override
  public synchronized void report(TrainerReport report, boolean milestone) {
    String line = describe(report);
    if (terminal && !milestone) {
      out.print("\r" + bar(report.progress()) + " " + line + "\u001b[K");
      out.flush();
      barShown = true;
      return;
    }
    if (barShown) {
      out.print("\r\u001b[K");
      barShown = false;
    }
    out.println(line);
  }

  static String describe(TrainerReport report) {
    StringBuilder sb = new StringBuilder();
    ProgressReport p = report.progress();
    if (p != null && p.epochs() != null) {
      sb.append(String.format(Locale.ROOT, "epoch %s step %d", p.epochs(), p.step()));
      if (p.imagesPerSecond() != null) {
        sb.append(String.format(Locale.ROOT, " | %.0f img/s", p.imagesPerSecond()));
      }
      if (p.learningRate() != null) {
        sb.append(String.format(Locale.ROOT, " | lr %.2e", p.learningRate()));
      }
    }
    MetricsReport m = report.metrics();
    if (m != null && m.loss() != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              " | loss %.4f (local %.4f global %.4f feature %.4f token %.4f)",
              m.loss(),
              m.localLoss(),
              m.globalLoss(),
              m.featureLoss(),
              m.tokenLoss()));
    }
    if (report.message() != null) {
      sb.append(sb.length() > 0 ? " | " : "").append(report.message());
    }
    return sb.toString();
  }

  private static String bar(ProgressReport p) {
    double fraction = p == null || p.fraction() == null ? 0 : p.fraction();
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return "["
        + "#".repeat(filled)
        + " ".repeat(BAR_WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%3.0f%%", fraction * 100);
  }
}
