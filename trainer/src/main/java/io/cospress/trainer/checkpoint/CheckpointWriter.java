package io.cospress.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Writes the payload files of a checkpoint into a (temporary) directory. */
@FunctionalInterface
public interface CheckpointWriter {
  void writeTo(Path directory) throws IOException;
}
