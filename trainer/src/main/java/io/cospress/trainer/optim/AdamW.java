package io.cospress.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.torch.InPlace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) whose moments belong to the trainer, so they can be checkpointed
 * and restored; DJL's own AdamW keeps them private.
 *
 * <p>Weight decay applies to matrices and kernels only (rank ≥ 2), not to biases and norm scales,
 * as in DINO-style recipes. Updates run outside any gradient collector, so they are not recorded.
 *
 * <p>Moments live beside the master weights, in their type (float32). A parameter with working
 * copies ({@link TrainableParameter#copies}: bfloat16 ones, or one per device) gets the sum of the
 * copies' gradients, converted to the master's type and device, and after the update every copy
 * gets the new master values, so replicas never drift apart.
 */
public final class AdamW implements AutoCloseable {

  private final NDManager manager;
  private final List<TrainableParameter> parameters;
  private final AdamWSettings settings;
  private final Map<String, NDArray> firstMoments = new HashMap<>();
  private final Map<String, NDArray> secondMoments = new HashMap<>();
  private long updates;

  public AdamW(NDManager parent, List<TrainableParameter> parameters, AdamWSettings settings) {
    this.manager = parent.newSubManager();
    this.parameters = List.copyOf(parameters);
    this.settings = settings;
    for (TrainableParameter p : parameters) {
      firstMoments.put(
          p.name(),
          manager.zeros(p.array().getShape(), p.array().getDataType(), p.array().getDevice()));
      secondMoments.put(
          p.name(),
          manager.zeros(p.array().getShape(), p.array().getDataType(), p.array().getDevice()));
    }
  }

  /**
   * Applies one update with the gradients accumulated by the last backward pass, then clears them.
   *
   * <p>Each parameter is updated by one native call (libtorch's fused Adam update that DJL ships,
   * in its AdamW form) instead of some fifteen tensor ops, each a JNI crossing that also turned its
   * number operands into direct buffers only the garbage collector frees. That update takes {@code
   * m · lrc / (√v + ε')}; with {@code lrc = lr·√c2/c1} and {@code ε' = ε·√c2} this is exactly
   * {@code lr · m̂ / (√v̂ + ε)} with the bias-corrected moments {@code m̂ = m/c1}, {@code v̂ =
   * v/c2}. Decay, {@code w ← w·(1 - lr·λ)}, comes first, as in PyTorch's AdamW.
   *
   * @return the global gradient L2 norm before clipping, or NaN when clipping is off: measuring it
   *     reads every gradient back to the host, which the step should not pay for unused
   */
  public double step(double learningRate) {
    updates++;
    double b1 = settings.beta1();
    double b2 = settings.beta2();
    double correction1 = 1 - Math.pow(b1, updates);
    double root2 = Math.sqrt(1 - Math.pow(b2, updates));
    float correctedRate = (float) (learningRate * root2 / correction1);
    float correctedEpsilon = (float) (settings.epsilon() * root2);
    try (NDManager scratch = manager.newSubManager()) {
      List<NDArray> gradients = new ArrayList<>(parameters.size());
      for (TrainableParameter p : parameters) {
        gradients.add(gradient(p, scratch));
      }
      double norm = Double.NaN;
      float clip = 1f;
      if (settings.gradientClipNorm() != null) {
        norm = globalNorm(gradients);
        if (norm > settings.gradientClipNorm()) {
          clip = (float) (settings.gradientClipNorm() / (norm + 1e-6));
        }
      }
      for (int i = 0; i < parameters.size(); i++) {
        PtNDArray weight = (PtNDArray) parameters.get(i).array();
        String name = parameters.get(i).name();
        float decay = weight.getShape().dimension() >= 2 ? (float) settings.weightDecay() : 0f;
        JniUtils.adamUpdate(
            weight,
            (PtNDArray) gradients.get(i),
            (PtNDArray) firstMoments.get(name),
            (PtNDArray) secondMoments.get(name),
            (float) learningRate,
            correctedRate,
            decay,
            clip,
            -1f, // no element-wise clamp
            (float) b1,
            (float) b2,
            correctedEpsilon,
            true);
      }
      for (TrainableParameter p : parameters) {
        for (NDArray copy : p.copies()) {
          JniUtils.zeroGrad((PtNDArray) copy);
        }
      }
      syncCopies();
      return norm;
    }
  }

  /** The master's gradient, or the sum of its copies' converted to the master's type and device. */
  private static NDArray gradient(TrainableParameter p, NDManager scratch) {
    NDArray master = p.array();
    NDArray sum = null;
    for (NDArray copy : p.copies()) {
      NDArray g = copy.getGradient();
      g.attach(scratch);
      if (g.getDataType() != master.getDataType() || !g.getDevice().equals(master.getDevice())) {
        g = g.toDevice(master.getDevice(), false).toType(master.getDataType(), false);
      }
      sum = sum == null ? g : sum.addi(g);
    }
    return sum;
  }

  /**
   * Gives every working copy its master's current values: after each update, and once when the
   * masters are loaded or restored.
   */
  public void syncCopies() {
    for (TrainableParameter p : parameters) {
      for (NDArray copy : p.copies()) {
        if (copy != p.array()) {
          InPlace.copy(p.array(), copy);
        }
      }
    }
  }

  private static double globalNorm(List<NDArray> gradients) {
    double sum = 0;
    for (NDArray g : gradients) {
      sum += g.square().sum().getFloat();
    }
    return Math.sqrt(sum);
  }

  /** The parameters, with their working copies, in update order. */
  public List<TrainableParameter> parameters() {
    return parameters;
  }

  /** Number of updates applied so far (the bias-correction step). */
  public long updates() {
    return updates;
  }

  /** Moments named {@code m/<param>} and {@code v/<param>}, for a checkpoint. */
  public NDList state() {
    NDList list = new NDList();
    for (TrainableParameter p : parameters) {
      NDArray m = firstMoments.get(p.name()).duplicate();
      m.setName("m/" + p.name());
      NDArray v = secondMoments.get(p.name()).duplicate();
      v.setName("v/" + p.name());
      list.add(m);
      list.add(v);
    }
    return list;
  }

  /** Restores moments saved by {@link #state()} and the update count. */
  public void restore(NDList state, long updateCount) {
    for (TrainableParameter p : parameters) {
      copyInto(state, "m/" + p.name(), firstMoments.get(p.name()));
      copyInto(state, "v/" + p.name(), secondMoments.get(p.name()));
    }
    this.updates = updateCount;
  }

  private static void copyInto(NDList state, String name, NDArray target) {
    NDArray saved = state.get(name);
    if (saved == null || !saved.getShape().equals(target.getShape())) {
      throw new IllegalStateException(
          "optimizer state for " + name + " is missing or has the wrong shape");
    }
    saved.copyTo(target);
  }

  @Override
  public void close() {
    manager.close();
  }
}
