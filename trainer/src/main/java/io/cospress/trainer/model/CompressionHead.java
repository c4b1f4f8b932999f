package io.cospress.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.List;

/**
 * {@code h = Linear(Dt→Ds) ∘ LayerNorm(Dt)}: the trainable compression of teacher tokens.
 *
 * <p>Kept as four plain tensors rather than a DJL block so that parameter names, initialisation and
 * checkpoint layout are ours and match the reference fixtures one to one.
 */
public final class CompressionHead implements AutoCloseable {

  public static final float LAYER_NORM_EPS = 1e-5f;

  private final NDManager manager;
  private final NDArray lnWeight;
  private final NDArray lnBias;
  private final NDArray linearWeight;
  private final NDArray linearBias;

  private CompressionHead(NDManager manager, NDList arrays) {
    this.manager = manager;
    this.lnWeight = arrays.get(0);
    this.lnBias = arrays.get(1);
    this.linearWeight = arrays.get(2);
    this.linearBias = arrays.get(3);
    for (NDArray array : arrays) {
      array.attach(manager);
      array.setRequiresGradient(true);
    }
  }

  /**
   * A freshly initialised head: LayerNorm weight 1 and bias 0; Linear weight and bias uniform in
   * ±1/√Dt, PyTorch's default, so the Python reference and this trainer start alike.
   */
  public static CompressionHead initialise(
      NDManager parent, int teacherDim, int studentDim, long seed) {
    NDManager manager = parent.newSubManager();
    manager.getEngine().setRandomSeed((int) seed);
    float bound = (float) (1.0 / Math.sqrt(teacherDim));
    NDList arrays =
        new NDList(
            manager.ones(new Shape(teacherDim)),
            manager.zeros(new Shape(teacherDim)),
            manager.randomUniform(-bound, bound, new Shape(studentDim, teacherDim)),
            manager.randomUniform(-bound, bound, new Shape(studentDim)));
    return new CompressionHead(manager, arrays);
  }

  /** A head with the given tensors, in the order of {@link #toNDList()}. */
  public static CompressionHead of(NDManager parent, NDList arrays) {
    NDManager manager = parent.newSubManager();
    NDList copies = new NDList();
    for (NDArray array : arrays) {
      copies.add(array.duplicate());
    }
    return new CompressionHead(manager, copies);
  }

  /**
   * A copy with the same values on {@code device}, with its own memory (closed with the copy): the
   * head of a data-parallel replica.
   */
  public CompressionHead copyOn(Device device) {
    NDManager owner = NDManager.newBaseManager(device);
    NDList copies = new NDList();
    for (TrainableParameter p : parameters()) {
      copies.add(p.array().toDevice(device, true));
    }
    return new CompressionHead(owner, copies);
  }

  public NDArray forward(NDArray teacherTokens) {
    NDArray normed =
        LayerNorm.layerNorm(
                teacherTokens,
                new Shape(lnWeight.getShape().get(0)),
                lnWeight,
                lnBias,
                LAYER_NORM_EPS)
            .singletonOrThrow();
    return Linear.linear(normed, linearWeight, linearBias).singletonOrThrow();
  }

  public List<TrainableParameter> parameters() {
    return List.of(
        new TrainableParameter("head.ln.weight", lnWeight),
        new TrainableParameter("head.ln.bias", lnBias),
        new TrainableParameter("head.linear.weight", linearWeight),
        new TrainableParameter("head.linear.bias", linearBias));
  }

  /** Tensors in a fixed order (LayerNorm weight, bias, Linear weight, bias), named. */
  public NDList toNDList() {
    NDList list = new NDList();
    for (TrainableParameter p : parameters()) {
      NDArray copy = p.array().duplicate();
      copy.setName(p.name());
      list.add(copy);
    }
    return list;
  }

  public int teacherDim() {
    return (int) lnWeight.getShape().get(0);
  }

  public int studentDim() {
    return (int) linearWeight.getShape().get(0);
  }

  @Override
  public void close() {
    manager.close();
  }
}
