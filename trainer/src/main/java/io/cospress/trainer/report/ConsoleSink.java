package io.cospress.trainer.report;

import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
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
    ProgressStatus p = report.progress();
    if (p != null && p.getEpochs() != null) {
      sb.append(String.format(Locale.ROOT, "epoch %s step %d", p.getEpochs(), p.getStep()));
      if (p.getImagesPerSecond() != null) {
        sb.append(String.format(Locale.ROOT, " | %.0f img/s", p.getImagesPerSecond()));
      }
      if (p.getLearningRate() != null) {
        sb.append(String.format(Locale.ROOT, " | lr %.2e", p.getLearningRate()));
      }
    }
    MetricsStatus m = report.metrics();
    if (m != null && m.getLoss() != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              " | loss %.4f (local %.4f global %.4f feature %.4f token %.4f)",
              m.getLoss(),
              m.getLocalLoss(),
              m.getGlobalLoss(),
              m.getFeatureLoss(),
              m.getTokenLoss()));
    }
    if (report.message() != null) {
      sb.append(sb.length() > 0 ? " | " : "").append(report.message());
    }
    return sb.toString();
  }

  private static String bar(ProgressStatus p) {
    double fraction = p == null || p.getFraction() == null ? 0 : p.getFraction();
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return "["
        + "#".repeat(filled)
        + " ".repeat(BAR_WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%3.0f%%", fraction * 100);
  }
}
