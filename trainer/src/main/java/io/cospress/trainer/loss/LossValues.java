package io.cospress.trainer.loss;

/** Host-side copy of the CosPress terms of one step. */
public record LossValues(double local, double global, double feature, double token, double total) {}
