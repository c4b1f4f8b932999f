package io.cospress.trainer.cli;

import ai.djl.Device;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.cospress.api.v1alpha1.DistillationRun;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * Everything {@code run} checks before it trains, without training or writing: the manifest, the
 * models and data (opened, and both models run once), the output directory and any checkpoint to
 * resume from. Prints the effective manifest, every default filled in, as YAML that is itself a
 * valid manifest, so a user sees exactly what a run would do.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a manifest as `run` would, without training: the manifest, the models and data",
      "(opened, both models run on two images), the output directory and the checkpoint a run",
      "would resume from. Prints the effective manifest with every default filled in.",
      "Writes nothing. Exit code 0 when `run` would start, 2 otherwise."
    })
final class ValidateCommand implements Callable<Integer> {

  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

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
    RunOptions options = new RunOptions(output, Device.cpu(), -1, 1, null);
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
      StringBuilder out = new StringBuilder();
      out.append("# ").append(manifest.namespace()).append('/').append(manifest.name());
      out.append(": valid; output ").append(output).append('\n');
      session.describeInputs().forEach(line -> out.append("# ").append(line).append('\n'));
      out.append("# the effective manifest, every default filled in:\n");
      out.append(YAML.writeValueAsString(effective(manifest.run())));
      System.out.print(out);
      return 0;
    }
  }

  private static ObjectNode effective(DistillationRun run) {
    ObjectNode tree = YAML.createObjectNode();
    tree.put("apiVersion", run.getApiVersion());
    tree.put("kind", run.getKind());
    ObjectNode metadata = tree.putObject("metadata");
    if (run.getMetadata().getName() != null) {
      metadata.put("name", run.getMetadata().getName());
    }
    if (run.getMetadata().getNamespace() != null) {
      metadata.put("namespace", run.getMetadata().getNamespace());
    }
    tree.set("spec", YAML.valueToTree(run.getSpec()));
    return tree;
  }
}
