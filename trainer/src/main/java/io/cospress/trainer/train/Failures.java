package io.cospress.trainer.train;

/** How a failure is told to a person: one line, the most specific message available. */
public final class Failures {

  private Failures() {}

  /**
   * The first line of the exception's message, or of its cause's when the exception only wraps; the
   * type's simple name when there is no message at all.
   */
  public static String oneLine(Throwable e) {
    Throwable shown = e;
    while (shown.getMessage() == null && shown.getCause() != null) {
      shown = shown.getCause();
    }
    String message = shown.getMessage();
    if (message == null || message.isBlank()) {
      return shown.getClass().getSimpleName();
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    line = newline > 0 ? line.substring(0, newline) : line;
    boolean plain =
        shown instanceof io.cospress.trainer.config.InvalidInputException
            || shown instanceof IllegalStateException;
    return plain ? line : shown.getClass().getSimpleName() + ": " + line;
  }
}
