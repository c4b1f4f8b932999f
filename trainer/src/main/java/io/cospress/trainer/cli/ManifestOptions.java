package io.cospress.trainer.cli;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.trainer.config.ManifestException;
import io.cospress.trainer.config.ManifestLoader;
import io.cospress.trainer.config.RunManifest;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Which manifest a command works on and where its files are: shared by `run` and `eval`. */
final class ManifestOptions {

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "run.yaml",
      description = "The DistillationRun manifest.")
  Path manifestFile;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Output directory (default: out/<run name> in the current directory).")
  Path output;

  @Option(
      names = "--base-dir",
      paramLabel = "DIR",
      description =
          "Directory relative model and data paths resolve against (default: the"
              + " manifest's directory).")
  Path baseDir;

  /**
   * The validated manifest, with paths confined to the base directory inside a pod; empty after
   * printing one line per problem to stderr.
   */
  Optional<RunManifest> load() {
    RunManifest manifest;
    try {
      manifest = ManifestLoader.load(manifestFile);
    } catch (ManifestException e) {
      e.problems().forEach(p -> System.err.println("error: " + p));
      return Optional.empty();
    } catch (NoSuchFileException e) {
      System.err.println("error: manifest not found: " + e.getFile());
      return Optional.empty();
    } catch (IOException e) {
      System.err.println("error: cannot read manifest " + manifestFile + ": " + e.getMessage());
      return Optional.empty();
    }
    boolean confine = Boolean.parseBoolean(System.getenv(CosPressConstants.ENV_CONFINE_PATHS));
    if (baseDir != null || confine) {
      manifest = manifest.withBaseDir(baseDir != null ? baseDir : manifest.baseDir(), confine);
    }
    return Optional.of(manifest);
  }

  Path outputDir(RunManifest manifest) {
    return (output != null ? output : Path.of("out", manifest.name())).toAbsolutePath();
  }
}
