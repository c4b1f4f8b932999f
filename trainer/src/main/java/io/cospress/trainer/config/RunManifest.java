package io.cospress.trainer.config;

import io.cospress.api.v1alpha1.DistillationRun;
import java.nio.file.Path;

/**
 * A validated run and the directory its relative paths resolve against (the manifest's own
 * directory locally, the mounted volume root in a pod). When {@code confined}, as in a pod, no path
 * may leave that directory (docs/security.md): neither {@code ..}, nor an absolute path elsewhere,
 * nor a symbolic link that leads out.
 */
public record RunManifest(DistillationRun run, Path baseDir, boolean confined) {

  public RunManifest(DistillationRun run, Path baseDir) {
    this(run, baseDir, false);
  }

  public RunManifest withBaseDir(Path dir, boolean confine) {
    return new RunManifest(run, dir.toAbsolutePath().normalize(), confine);
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

  /** The confinement of paths under {@code root}: active only when this manifest is confined. */
  public Confinement confinement(Path root) {
    return confined ? Confinement.within(root) : Confinement.none();
  }

  public String name() {
    String name = run.getMetadata() == null ? null : run.getMetadata().getName();
    return name == null ? "run" : name;
  }

  public String namespace() {
    String ns = run.getMetadata() == null ? null : run.getMetadata().getNamespace();
    return ns == null ? "default" : ns;
  }
}
