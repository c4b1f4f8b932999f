package io.cospress.trainer.cli;

import ai.djl.Device;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.trainer.config.ManifestException;
import io.cospress.trainer.config.ManifestLoader;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.data.DatasetException;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.train.DistillationSession;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.StopSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Evaluates the latest checkpoint of a run (or its final student) against its teacher. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a run's latest checkpoint against its teacher (kNN, OOD, similarity).")
final class EvalCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "run.yaml",
      description = "The DistillationRun manifest.")
  Path manifestFile;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "The run's output directory (default: out/<run name>).")
  Path output;

  @Override
  public Integer call() throws Exception {
    RunManifest manifest;
    try {
      manifest = ManifestLoader.load(manifestFile);
    } catch (ManifestException e) {
      e.problems().forEach(p -> System.err.println("error: " + p));
      return CosPressTrainer.EXIT_INVALID_INPUT;
    }
    Path out = (output != null ? output : Path.of("out", manifest.name())).toAbsolutePath();
    RunOptions options = new RunOptions(out, Device.cpu(), -1, RunOptions.defaultWorkers(), null);
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
    } catch (ModelInputException | DatasetException e) {
      System.err.println("error: " + e.getMessage());
      return CosPressTrainer.EXIT_INVALID_INPUT;
    }
  }
}
