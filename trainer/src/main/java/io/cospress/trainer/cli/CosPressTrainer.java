package io.cospress.trainer.cli;

import io.cospress.trainer.train.StopSignal;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code cospress-trainer}: run or validate a DistillationRun manifest, evaluate a run, check the
 * loss. Exit codes: 0 success, {@value #EXIT_INVALID_INPUT} invalid input (the operator fails the
 * run without retrying), {@value #EXIT_FAILED} any other failure; errors are one line each, with a
 * stack trace only under {@code --debug}.
 */
@Command(
    name = "cospress-trainer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "CosPress feature distillation of vision foundation models (DJL, PyTorch engine).",
    subcommands = {RunCommand.class, ValidateCommand.class, EvalCommand.class, LossCommand.class})
public final class CosPressTrainer implements Runnable {

  /** Exit code for invalid input (manifest, files, options), as picocli uses for usage errors. */
  public static final int EXIT_INVALID_INPUT = 2;

  /** Exit code for a run that could not start or failed while training. */
  public static final int EXIT_FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error, not only its message.")
  boolean debug;

  /** The process environment's pod settings, replaceable so tests play the pod without a pod. */
  final PodEnvironment pod;

  CosPressTrainer(Map<String, String> environment) {
    this.pod = PodEnvironment.of(environment);
  }

  public static void main(String[] args) {
    int code = execute(System.getenv(), args);
    if (!StopSignal.jvmTerminating()) {
      System.exit(code);
    }
  }

  public static int execute(String... args) {
    return execute(System.getenv(), args);
  }

  /** Runs a command line with the given environment (the operator's pod settings live there). */
  public static int execute(Map<String, String> environment, String... args) {
    EngineSettings.applyDefaults();
    ErrorReporter errors = new ErrorReporter(java.util.Arrays.asList(args).contains("--debug"));
    CommandLine commandLine =
        new CommandLine(new CosPressTrainer(environment))
            .setExecutionExceptionHandler(errors)
            .setParameterExceptionHandler(errors);
    int code;
    try {
      code = commandLine.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      code = errors.report(e);
    }
    TerminationMessage.write(PodEnvironment.of(environment), errors.lines());
    return code;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
