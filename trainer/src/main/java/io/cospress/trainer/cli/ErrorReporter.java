package io.cospress.trainer.cli;

import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.manifest.ManifestException;
import io.cospress.trainer.train.Failures;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every error into one line on stderr and an exit code: {@link InvalidInputException} and
 * command-line mistakes are input errors (2), everything else a failure (1). Stack traces are for
 * {@code --debug} only: a user (or the run's status) needs the cause, not the call chain.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

  private final boolean debug;
  private final List<String> lines = new ArrayList<>();

  ErrorReporter(boolean debug) {
    this.debug = debug;
  }

  /** The error lines printed so far, for the pod's termination message. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  private void print(PrintStream err, String line) {
    lines.add(line);
    err.println(line);
  }

  @Override
  public int handleExecutionException(
      Exception e, CommandLine commandLine, ParseResult parseResult) {
    return report(e);
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    String line =
        "error: "
            + e.getMessage()
            + " (see "
            + e.getCommandLine().getCommandSpec().qualifiedName()
            + " --help)";
    lines.add(line);
    err.println(line);
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return CosPressTrainer.EXIT_INVALID_INPUT;
  }

  int report(Throwable e) {
    PrintStream err = System.err;
    if (e instanceof ManifestException manifest) {
      manifest.problems().forEach(p -> print(err, "error: " + p));
    } else if (e instanceof OutOfMemoryError) {
      print(
          err,
          "error: out of memory ("
              + Failures.oneLine(e)
              + "); give the trainer more memory (-Xmx, the pod's limit) or lower"
              + " spec.training.batchSize");
    } else {
      print(err, "error: " + Failures.oneLine(e));
    }
    if (debug) {
      e.printStackTrace(System.err);
    }
    System.err.flush();
    return e instanceof InvalidInputException
        ? CosPressTrainer.EXIT_INVALID_INPUT
        : CosPressTrainer.EXIT_FAILED;
  }
}
