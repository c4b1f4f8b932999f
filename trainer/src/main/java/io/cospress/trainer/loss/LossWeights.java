package io.cospress.trainer.loss;

/** The λ weights of the objective. */
public record LossWeights(double local, double global, double feature, double token) {

  public static final LossWeights ONES = new LossWeights(1, 1, 1, 1);
}
