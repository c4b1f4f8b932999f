package io.cospress.trainer.loss;

import io.cospress.api.v1alpha1.LossWeightsSpec;

/** The λ weights of the objective. */
public record LossWeights(double local, double global, double feature, double token) {

  public static final LossWeights ONES = new LossWeights(1, 1, 1, 1);

  public static LossWeights from(LossWeightsSpec spec) {
    return new LossWeights(spec.getLocal(), spec.getGlobal(), spec.getFeature(), spec.getToken());
  }
}
