package io.cospress.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * The four CosPress terms and their weighted total, as scalar NDArrays still attached to the
 * autograd graph of the step that produced them.
 */
public record LossTerms(
    NDArray local, NDArray global, NDArray feature, NDArray token, NDArray total) {

  /** Plain values, read once per step (each read is a device-to-host copy). */
  public LossValues values() {
    return new LossValues(
        local.getFloat(),
        global.getFloat(),
        feature.getFloat(),
        token.getFloat(),
        total.getFloat());
  }
}
