package io.cospress.trainer.cli;

import io.cospress.trainer.train.StopSignal;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cospress-trainer}: run a DistillationRun manifest, check the loss, evaluate a student. */
@Command(
    name = "cospress-trainer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "CosPress feature distillation of vision foundation models (DJL, PyTorch engine).",
    subcommands = {RunCommand.class, LossCommand.class, EvalCommand.class})
public final class CosPressTrainer implements Runnable {

  /** Exit code for invalid input (manifest or arguments), as picocli uses for usage errors. */
  public static final int EXIT_INVALID_INPUT = 2;

  /** Exit code for a run that could not start or failed while training. */
  public static final int EXIT_FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = execute(args);
    if (!StopSignal.jvmTerminating()) {
      System.exit(code);
    }
  }

  public static int execute(String... args) {
    EngineSettings.applyDefaults();
    return new CommandLine(new CosPressTrainer()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
