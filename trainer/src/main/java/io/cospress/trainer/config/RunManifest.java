package io.cospress.trainer.config;

import io.cospress.api.v1alpha1.DistillationRun;
import java.nio.file.Path;

/**
 * A validated run and the directory its relative paths resolve against (the manifest's own
 * directory locally, the mounted volume root in a pod).
 */
public record RunManifest(DistillationRun run, Path baseDir) {

  /** Resolves a path from the manifest; absolute paths are taken as they are. */
  public Path resolve(String location) {
    return baseDir.resolve(location).normalize();
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
