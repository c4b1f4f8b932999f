package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.loss.LossTerms;
import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.optim.AdamW;
import io.cospress.trainer.torch.Transfer;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimisation step of CosPress: frozen teacher forward, head and student forward, the
 * objective, backward, and the AdamW update. Shared by the training loop and the benchmark so that
 * what is measured is what is run.
 *
 * <p>With several {@link Replica replicas} (data parallel), each takes a contiguous slice of the
 * batch on its device; the teacher, head and student outputs are gathered on the first device, so
 * the objective (its global SNE term above all, which compares every pair of CLS tokens) sees the
 * whole batch exactly as one device would. One backward pass through the gather sends each replica
 * the gradients of its slice; {@link AdamW} sums them into one update of the masters and copies the
 * result back to every replica. Nothing here depends on the device type: on CPU the replicas share
 * the device and the arithmetic is the same.
 */
public final class CosPressStep {

  private final List<Replica> replicas;
  private final CosPressLoss loss;
  private final AdamW optimizer;
  private final boolean pooledOnly;

  public CosPressStep(
      List<Replica> replicas, CosPressLoss loss, AdamW optimizer, boolean pooledOnly) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("a step needs at least one replica");
    }
    this.replicas = List.copyOf(replicas);
    this.loss = loss;
    this.optimizer = optimizer;
    this.pooledOnly = pooledOnly;
  }

  /**
   * Runs the step on {@code images}; every intermediate array is attached to the images' manager,
   * which the caller closes after the step.
   */
  public LossValues run(NDArray images, double learningRate) {
    return run(images, learningRate, StepPhase.Listener.NONE);
  }

  /** {@link #run(NDArray, double)}, telling {@code phases} as each part of the step ends. */
  public LossValues run(NDArray images, double learningRate, StepPhase.Listener phases) {
    List<NDArray> slices = slices(images);
    List<NDArray> teacher = new ArrayList<>(slices.size());
    for (int i = 0; i < slices.size(); i++) {
      teacher.add(pool(replicas.get(i).teacher().forwardFrozen(slices.get(i))));
    }
    phases.ended(StepPhase.TEACHER);
    LossValues values;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      List<NDArray> compressed = new ArrayList<>(slices.size());
      List<NDArray> student = new ArrayList<>(slices.size());
      for (int i = 0; i < slices.size(); i++) {
        Replica replica = replicas.get(i);
        compressed.add(replica.head().forward(teacher.get(i)));
        student.add(pool(replica.student().forward(slices.get(i), true)));
      }
      phases.ended(StepPhase.FORWARD);
      LossTerms terms = loss.compute(gather(teacher), gather(compressed), gather(student));
      phases.ended(StepPhase.LOSS);
      collector.backward(terms.total());
      values = terms.values();
      phases.ended(StepPhase.BACKWARD);
    }
    optimizer.step(learningRate);
    phases.ended(StepPhase.OPTIMIZER);
    return values;
  }

  /** The batch cut into one contiguous slice per replica, each on its replica's device. */
  private List<NDArray> slices(NDArray images) {
    int n = replicas.size();
    if (n == 1) {
      return List.of(images);
    }
    long batch = images.getShape().get(0);
    if (batch < n) {
      throw new IllegalArgumentException(
          "a batch of " + batch + " cannot be split over " + n + " devices");
    }
    long[] cuts = new long[n - 1];
    for (int i = 1; i < n; i++) {
      cuts[i - 1] = batch * i / n;
    }
    NDList parts = images.split(cuts, 0);
    List<NDArray> slices = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slices.add(parts.get(i).toDevice(replicas.get(i).device(), false));
    }
    return slices;
  }

  /** The replicas' outputs, in batch order, on the first replica's device. */
  private NDArray gather(List<NDArray> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    Device first = replicas.get(0).device();
    NDList onFirst = new NDList(parts.size());
    for (NDArray part : parts) {
      onFirst.add(Transfer.toFloat32(part, first)); // recorded: the replica's gradient comes back
    }
    return NDArrays.concat(onFirst, 0);
  }

  private NDArray pool(NDArray output) {
    return pooledOnly ? Embedder.globalEmbedding(output) : output;
  }
}
