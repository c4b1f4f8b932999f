package io.cospress.trainer.config;

import java.util.Objects;

/**
 * Where checkpoints go and how many are kept.
 *
 * @param path the checkpoint directory, relative to the output directory unless absolute
 */
public record CheckpointConfig(String path, int intervalEpochs, int keep) {

  public CheckpointConfig {
    Objects.requireNonNull(path, "path");
  }
}
