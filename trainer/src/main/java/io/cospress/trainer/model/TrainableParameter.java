package io.cospress.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A named tensor the optimizer updates in place; the name keys its optimizer state.
 *
 * @param array the master weights: what the optimizer updates and checkpoints save
 * @param copies the arrays the step's forward passes use and whose gradients are summed into one
 *     update, then refreshed from the master: the master itself in a plain float32 step; bfloat16
 *     copies for mixed precision; one per device for data-parallel replicas
 */
public record TrainableParameter(String name, NDArray array, List<NDArray> copies) {

  public TrainableParameter {
    copies = List.copyOf(copies);
    if (copies.isEmpty()) {
      throw new IllegalArgumentException(name + ": a parameter needs at least one copy");
    }
  }

  /** A parameter the forward uses directly. */
  public TrainableParameter(String name, NDArray array) {
    this(name, array, List.of(array));
  }

  /** The same master with other working copies. */
  public TrainableParameter withCopies(List<NDArray> computeCopies) {
    return new TrainableParameter(name, array, computeCopies);
  }

  /** Whether the forward uses the master itself and nothing else. */
  public boolean direct() {
    return copies.size() == 1 && copies.get(0) == array;
  }
}
