package io.cospress.trainer.cli;

import ai.djl.Device;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.SessionFactory;
import io.cospress.trainer.train.TrainingSession;
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
    RunOptions options = new RunOptions(output, Device.cpu(), -1, 1, null);
    try (TrainingSession session =
        new SessionFactory(options, System.err::println).open(manifest)) {
      StringBuilder out = new StringBuilder();
      out.append("# ").append(manifest.namespace()).append('/').append(manifest.name());
      out.append(": valid; output ").append(output).append('\n');
      session.describeInputs().forEach(line -> out.append("# ").append(line).append('\n'));
      out.append("# the effective manifest, every default filled in:\n");
      out.append(manifest.config().effectiveManifest());
      System.out.print(out);
      return 0;
    }
  }
}
