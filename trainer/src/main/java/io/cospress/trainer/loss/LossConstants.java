package io.cospress.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * Tensors the objective needs every step and that never change: the temperatures, their reciprocals
 * and the self-similarity masks (one per set size: tokens per image, and the batch size for the
 * global term). Built on first use on the device and in the type of the step's tensors and kept
 * until the loss is closed, instead of being recreated (and copied from the host) on every step.
 */
final class LossConstants implements AutoCloseable {

  /** Subtracted on the diagonal of each cosine matrix, so a vector is never its own neighbour. */
  static final float SELF_MASK = 1e8f;

  private final float[] temperatures;
  private final Map<Long, NDArray> masks = new HashMap<>();
  private NDManager manager;
  private DataType dataType;
  private NDArray temperatureColumn;
  private NDArray inverseTemperatureRow;

  LossConstants(float[] temperatures) {
    this.temperatures = temperatures.clone();
  }

  int count() {
    return temperatures.length;
  }

  /** Temperatures shaped {@code [K, 1, 1, 1]}, to divide {@code [1, sets, n, n]} by. */
  NDArray temperatureColumn(NDArray like) {
    on(like);
    return temperatureColumn;
  }

  /** {@code 1/τ} shaped {@code [1, K]}, to sum {@code [K, m]} over temperatures in one product. */
  NDArray inverseTemperatureRow(NDArray like) {
    on(like);
    return inverseTemperatureRow;
  }

  /** {@code 1e8 · I(n)}. */
  NDArray selfMask(long n, NDArray like) {
    on(like);
    return masks.computeIfAbsent(
        n, size -> manager.eye((int) (long) size, (int) (long) size, 0, dataType).muli(SELF_MASK));
  }

  /** (Re)builds the constants on the device and in the type of {@code like}, if they differ. */
  private void on(NDArray like) {
    if (manager != null
        && manager.getDevice().equals(like.getDevice())
        && dataType == like.getDataType()) {
      return;
    }
    close();
    manager = NDManager.newBaseManager(like.getDevice());
    dataType = like.getDataType();
    float[] inverse = new float[temperatures.length];
    for (int i = 0; i < inverse.length; i++) {
      inverse[i] = 1f / temperatures[i];
    }
    temperatureColumn =
        manager.create(temperatures).toType(dataType, false).reshape(temperatures.length, 1, 1, 1);
    inverseTemperatureRow =
        manager.create(inverse).toType(dataType, false).reshape(1, temperatures.length);
  }

  @Override
  public void close() {
    masks.clear();
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }
}
