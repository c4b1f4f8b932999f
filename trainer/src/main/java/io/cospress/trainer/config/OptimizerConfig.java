package io.cospress.trainer.config;

import io.cospress.trainer.optim.AdamWSettings;
import java.util.Objects;

/**
 * AdamW and its learning-rate schedule: linear warm-up to {@code learningRate}, then cosine decay
 * to {@code minLearningRate}.
 */
public record OptimizerConfig(
    double learningRate, double minLearningRate, double warmupEpochs, AdamWSettings adamW) {

  public OptimizerConfig {
    Objects.requireNonNull(adamW, "adamW");
  }
}
