package io.cospress.trainer.cli;

import ai.djl.Device;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.data.DatasetException;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.train.DistillationSession;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.StopSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Evaluates the latest checkpoint of a run (or its final student) against its teacher. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a run's latest checkpoint against its teacher (kNN, OOD, similarity).")
final class EvalCommand implements Callable<Integer> {

  @Mixin ManifestOptions files;

  @Override
  public Integer call() throws Exception {
    Optional<RunManifest> loaded = files.load();
    if (loaded.isEmpty()) {
      return CosPressTrainer.EXIT_INVALID_INPUT;
    }
    RunManifest manifest = loaded.get();
    RunOptions options =
        new RunOptions(
            files.outputDir(manifest), Device.cpu(), -1, RunOptions.defaultWorkers(), null);
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
