package io.cospress.trainer.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.report.MetricsReport;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.SessionFactory;
import io.cospress.trainer.train.TrainingSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Evaluates the latest checkpoint of a run against its teacher. Writes nothing. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a run's latest checkpoint against its teacher (kNN, OOD, similarity) and print",
      "the metrics as JSON. Fails (exit 2) when the run has no usable checkpoint. Writes nothing."
    })
final class EvalCommand implements Callable<Integer> {

  @ParentCommand CosPressTrainer parent;

  @Mixin ManifestOptions files;

  @Override
  public Integer call() throws IOException {
    RunManifest manifest = files.load(parent.pod);
    Path output = files.outputDir(manifest);
    RunDirectory.inspect(
            output,
            manifest.checkpointDir(output),
            manifest.confinement(output),
            System.err::println)
        .close();
    requireCheckpoint(manifest, output);
    RunOptions options =
        new RunOptions(output, Device.cpu(), -1, RunOptions.defaultWorkers(), null);
    try (TrainingSession session =
        new SessionFactory(options, System.err::println).open(manifest)) {
      MetricsReport result = session.evaluateOnly();
      // MetricsReport leaves out what was not measured, as the run's status does.
      System.out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
      return 0;
    }
  }

  /**
   * An untrained student is not the run's result: without a checkpoint that verifies there is
   * nothing to evaluate.
   */
  private static void requireCheckpoint(RunManifest manifest, Path output) throws IOException {
    Path root = manifest.checkpointDir(output);
    AtomicInteger corrupt = new AtomicInteger();
    CheckpointStore store = new CheckpointStore(root, manifest.config().checkpoint().keep());
    if (store
        .latestValid(
            warning -> {
              corrupt.incrementAndGet();
              System.err.println("warning: " + warning);
            })
        .isEmpty()) {
      throw new InvalidInputException(
          "spec.checkpoint.path: no usable checkpoint in "
              + root
              + (corrupt.get() > 0
                  ? " (" + corrupt.get() + " corrupt)"
                  : " (none written yet; is --output the run's output directory?)")
              + "; train with `run` first");
    }
  }
}
