package io.cospress.trainer.config;

import io.cospress.trainer.loss.LossWeights;
import java.util.List;
import java.util.Objects;

/**
 * The optimisation recipe, the CosPress objective and how the step computes.
 *
 * @param precision number format of the step
 * @param gpus {@code spec.resources.gpus}: the most devices a GPU run trains on, data-parallel
 */
public record TrainingConfig(
    int epochs,
    int batchSize,
    OptimizerConfig optimizer,
    List<Double> temperatures,
    LossWeights lossWeights,
    boolean pooledOnly,
    long seed,
    Precision precision,
    int gpus) {

  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(lossWeights, "lossWeights");
    Objects.requireNonNull(precision, "precision");
    temperatures = List.copyOf(temperatures);
  }
}
