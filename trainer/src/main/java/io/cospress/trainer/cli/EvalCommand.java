package io.cospress.trainer.cli;

import ai.djl.Device;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.train.DistillationSession;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.StopSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
    RunManifest manifest = files.load(parent.environment);
    Path output = files.outputDir(manifest);
    Path checkpoints =
        manifest.confine(
            "spec.checkpoint.path", output, manifest.run().getSpec().getCheckpoint().getPath());
    RunDirectory.inspect(output, checkpoints, manifest.confinement(output), System.err::println)
        .close();
    requireCheckpoint(manifest, output);
    RunOptions options =
        new RunOptions(output, Device.cpu(), -1, RunOptions.defaultWorkers(), null);
    TrainerMetrics metrics =
        new TrainerMetrics(new SimpleMeterRegistry(), manifest.namespace(), manifest.name());
    try (DistillationSession session =
        new DistillationSession(
            manifest,
            options,
            (report, milestone) -> {},
            metrics,
            new StopSignal(),
            System.err::println)) {
      MetricsStatus result = session.evaluateOnly();
      System.out.println(
          new ObjectMapper()
              .setSerializationInclusion(JsonInclude.Include.NON_NULL)
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(result));
      return 0;
    }
  }

  /**
   * An untrained student is not the run's result: without a checkpoint that verifies there is
   * nothing to evaluate.
   */
  private static void requireCheckpoint(RunManifest manifest, Path output) throws IOException {
    var spec = manifest.run().getSpec().getCheckpoint();
    Path root = manifest.confine("spec.checkpoint.path", output, spec.getPath());
    AtomicInteger corrupt = new AtomicInteger();
    CheckpointStore store = new CheckpointStore(root, spec.getKeep());
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
