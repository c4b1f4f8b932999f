package io.cospress.trainer.config;

import io.cospress.trainer.loss.LossWeights;
import java.util.List;
import java.util.Objects;

/** The optimisation recipe and the CosPress objective. */
public record TrainingConfig(
    int epochs,
    int batchSize,
    OptimizerConfig optimizer,
    List<Double> temperatures,
    LossWeights lossWeights,
    boolean pooledOnly,
    long seed) {

  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(lossWeights, "lossWeights");
    temperatures = List.copyOf(temperatures);
  }
}
