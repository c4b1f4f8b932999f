package io.cospress.trainer.config;

import java.nio.file.Path;

/**
 * A validated run's configuration and the directory its relative paths resolve against (the
 * manifest's own directory locally, the mounted volume root in a pod). When {@code confined}, as in
 * a pod, no path may leave that directory (docs/security.md): neither {@code ..}, nor an absolute
 * path elsewhere, nor a symbolic link that leads out.
 */
public record RunManifest(TrainerConfig config, Path baseDir, boolean confined) {

  public RunManifest(TrainerConfig config, Path baseDir) {
    this(config, baseDir, false);
  }

  public RunManifest withBaseDir(Path dir, boolean confine) {
    return new RunManifest(config, dir.toAbsolutePath().normalize(), confine);
  }

  /**
   * Resolves a path from the manifest; absolute paths are taken as they are.
   *
   * @throws PathEscapeException when confined and the path leaves the base directory
   */
  public Path resolve(String field, String location) {
    return confine(field, baseDir, location);
  }

  /**
   * Resolves {@code location} under {@code root}; when confined, refuses escapes and returns the
   * real path (symbolic links resolved).
   */
  public Path confine(String field, Path root, String location) {
    Path resolved = root.resolve(location).normalize();
    if (!confined) {
      return resolved;
    }
    Path volume = root.toAbsolutePath().normalize();
    if (!volume.resolve(location).normalize().startsWith(volume)) {
      throw new PathEscapeException(
          field + ": \"" + location + "\" leaves its volume " + root + "; use a path inside it");
    }
    return Confinement.within(volume).check(field, volume.resolve(location).normalize());
  }

  /** The run's checkpoint directory ({@code spec.checkpoint.path}) under {@code outputDir}. */
  public Path checkpointDir(Path outputDir) {
    return confine("spec.checkpoint.path", outputDir, config.checkpoint().path());
  }

  /** The confinement of paths under {@code root}: active only when this manifest is confined. */
  public Confinement confinement(Path root) {
    return confined ? Confinement.within(root) : Confinement.none();
  }

  public String name() {
    return config.name();
  }

  public String namespace() {
    return config.namespace();
  }
}
