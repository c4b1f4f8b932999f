package io.cospress.trainer.optim;

import io.cospress.api.v1alpha1.OptimizerSpec;

/** Hyper-parameters of {@link AdamW} other than the learning rate, which the schedule owns. */
public record AdamWSettings(
    double beta1, double beta2, double epsilon, double weightDecay, Double gradientClipNorm) {

  public static AdamWSettings from(OptimizerSpec spec) {
    return new AdamWSettings(
        spec.getBeta1(),
        spec.getBeta2(),
        spec.getEpsilon(),
        spec.getWeightDecay(),
        spec.getGradientClipNorm());
  }
}
