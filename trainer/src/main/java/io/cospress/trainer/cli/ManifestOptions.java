package io.cospress.trainer.cli;

import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which manifest a command works on and where its files are: shared by every manifest command. */
final class ManifestOptions {

  /** Where runs go without {@code --output}: {@code out/<metadata.name>}. */
  static final Path DEFAULT_OUTPUT_ROOT = Path.of("out");

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
   * The validated manifest; inside a pod that confines paths its paths are confined to the base
   * directory.
   *
   * @throws InvalidInputException (a ManifestException with one line per problem) if invalid
   */
  RunManifest load(PodEnvironment pod) throws IOException {
    RunManifest manifest = ManifestLoader.load(manifestFile);
    boolean confine = pod.confinePaths();
    if (baseDir != null || confine) {
      manifest = manifest.withBaseDir(baseDir != null ? baseDir : manifest.baseDir(), confine);
    }
    return manifest;
  }

  /**
   * {@code --output}, or {@code out/<metadata.name>}. The loader only accepts names the API server
   * accepts (DNS subdomains, no '/'), and this checks again that the default stays under {@code
   * out/}.
   */
  Path outputDir(RunManifest manifest) {
    if (output != null) {
      return output.toAbsolutePath().normalize();
    }
    Path root = DEFAULT_OUTPUT_ROOT.toAbsolutePath().normalize();
    Path dir = root.resolve(manifest.name()).normalize();
    if (!dir.startsWith(root) || dir.equals(root)) {
      throw new InvalidInputException(
          "metadata.name: \"" + manifest.name() + "\" would leave the output root " + root);
    }
    return dir;
  }
}
