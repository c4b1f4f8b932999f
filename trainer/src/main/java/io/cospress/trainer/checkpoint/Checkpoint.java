package io.cospress.trainer.checkpoint;

import java.nio.file.Path;

/** A complete checkpoint directory and its state. */
public record Checkpoint(Path directory, CheckpointState state) {

  public Path file(String name) {
    return directory.resolve(name);
  }

  public String name() {
    return directory.getFileName().toString();
  }
}
