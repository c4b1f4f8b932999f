package io.cospress.trainer.optim;

/**
 * Hyper-parameters of {@link AdamW} other than the learning rate, which the schedule owns.
 *
 * @param gradientClipNorm clip the global gradient L2 norm to this value, or null for no clipping
 */
public record AdamWSettings(
    double beta1, double beta2, double epsilon, double weightDecay, Double gradientClipNorm) {}
