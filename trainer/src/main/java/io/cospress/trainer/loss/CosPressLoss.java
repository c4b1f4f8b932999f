package io.cospress.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The CosPress objective of SPEC section 2.
 *
 * <p>Inputs are teacher tokens {@code t [B,T,Dt]} (no gradient), compressed tokens {@code c = h(t)
 * [B,T,Ds]} (gradient flows to the head) and student tokens {@code s [B,T,Ds]}. The SNE terms see
 * {@code c} directly, the cosine terms see it through a stop-gradient, so the head learns only to
 * preserve angles and the student only to match the compressed embedding. With {@code T = 1}
 * (pooled teachers or pooled-only runs) the local and feature terms are zero by definition.
 *
 * <p>All temperatures are evaluated in one broadcast over a leading axis rather than a Java loop:
 * on the PyTorch engine every op is a JNI call, and ten small loops cost more than one large op.
 */
public final class CosPressLoss {

  /** Added to the diagonal (negated) so a vector is never its own neighbour. */
  private static final float SELF_MASK = 1e8f;

  private static final float NORM_EPS = 1e-12f;

  private final float[] temperatures;
  private final LossWeights weights;

  public CosPressLoss(List<Double> temperatures, LossWeights weights) {
    if (temperatures.isEmpty()) {
      throw new IllegalArgumentException("at least one temperature is required");
    }
    this.temperatures = new float[temperatures.size()];
    for (int i = 0; i < this.temperatures.length; i++) {
      double tau = temperatures.get(i);
      if (!(tau > 0)) {
        throw new IllegalArgumentException("temperatures must be > 0, got " + tau);
      }
      this.temperatures[i] = (float) tau;
    }
    this.weights = weights;
  }

  /**
   * Computes all terms.
   *
   * @param teacher {@code [B,T,Dt]} or pooled {@code [B,Dt]}
   * @param compressed head output, same leading shape as {@code teacher}
   * @param student same shape as {@code compressed}
   */
  public LossTerms compute(NDArray teacher, NDArray compressed, NDArray student) {
    NDArray t = asTokens(teacher);
    NDArray c = asTokens(compressed);
    NDArray s = asTokens(student);
    if (!c.getShape().equals(s.getShape())) {
      throw new IllegalArgumentException(
          "student output " + s.getShape() + " does not match compressed teacher " + c.getShape());
    }
    long tokens = t.getShape().get(1);
    NDManager manager = t.getManager();

    NDArray global = sne(t.get(":, 0, :"), c.get(":, 0, :"));
    NDArray cTarget = c.stopGradient();
    NDArray token = oneMinusCosine(s.get(":, 0, :"), cTarget.get(":, 0, :")).mean();

    NDArray local;
    NDArray feature;
    if (tokens > 1) {
      // One SNE per image over its tokens; sne() works on the last two axes.
      local = sne(t, c).mean();
      long batch = s.getShape().get(0);
      feature = oneMinusCosine(s.reshape(batch, -1), cTarget.reshape(batch, -1)).mean();
    } else {
      local = manager.zeros(new Shape());
      feature = manager.zeros(new Shape());
    }

    NDArray total =
        local
            .mul((float) weights.local())
            .add(global.mul((float) weights.global()))
            .add(feature.mul((float) weights.feature()))
            .add(token.mul((float) weights.token()));
    return new LossTerms(local, global, feature, token, total);
  }

  /**
   * KL(P_t || P_c) of the symmetric joint distributions over the rows of the last two axes,
   * averaged over the temperatures. For input {@code [..., n, d]} the result has shape {@code
   * [...]} (a scalar for a single set).
   */
  NDArray sne(NDArray teacherSet, NDArray compressedSet) {
    NDArray pT = jointLogProbabilities(teacherSet);
    NDArray pC = jointLogProbabilities(compressedSet);
    // Sum over (i, j); the masked diagonal has exp(pT) == 0 and finite log-probabilities.
    NDArray kl = pT.exp().mul(pT.sub(pC)).sum(new int[] {-2, -1});
    return kl.mean(new int[] {0}); // over temperatures
  }

  /** {@code P} of SPEC section 2 for every temperature: shape {@code [K, ..., n, n]}. */
  private NDArray jointLogProbabilities(NDArray set) {
    NDArray distances = maskedCosine(set);
    Shape shape = distances.getShape();
    NDArray tau = set.getManager().create(temperatures).reshape(temperatureShape(shape));
    NDArray logits = distances.expandDims(0).div(tau);
    NDArray l = logits.logSoftmax(-1);
    NDArray lt = l.transpose(transposeLastTwo(l.getShape().dimension()));
    NDArray m = l.maximum(lt);
    NDArray joint = m.add(l.sub(m).exp().add(lt.sub(m).exp()).log());
    return joint.sub(logSumExpLastTwo(joint));
  }

  private static NDArray maskedCosine(NDArray set) {
    NDArray unit = set.div(set.norm(new int[] {-1}, true).maximum(NORM_EPS));
    int dims = unit.getShape().dimension();
    NDArray cos = unit.matMul(unit.transpose(transposeLastTwo(dims)));
    long n = set.getShape().get(dims - 2);
    return cos.sub(set.getManager().eye((int) n).mul(SELF_MASK));
  }

  /** logsumexp over the last two axes, kept as size-1 axes for broadcasting. */
  private static NDArray logSumExpLastTwo(NDArray x) {
    Shape shape = x.getShape();
    int dims = shape.dimension();
    long n = shape.get(dims - 1) * shape.get(dims - 2);
    NDArray flat = x.reshape(shape.slice(0, dims - 2).addAll(new Shape(n)));
    // The engine's max takes one axis at a time, hence the flattening.
    NDArray m = flat.max(new int[] {-1}, true);
    NDArray lse = m.add(flat.sub(m).exp().sum(new int[] {-1}, true).log());
    return lse.reshape(shape.slice(0, dims - 2).addAll(new Shape(1, 1)));
  }

  private static NDArray oneMinusCosine(NDArray a, NDArray b) {
    NDArray dot = a.mul(b).sum(new int[] {-1});
    NDArray norms = a.norm(new int[] {-1}).mul(b.norm(new int[] {-1})).maximum(NORM_EPS);
    return dot.div(norms).neg().add(1f);
  }

  private static NDArray asTokens(NDArray x) {
    return x.getShape().dimension() == 2 ? x.expandDims(1) : x;
  }

  private Shape temperatureShape(Shape distances) {
    long[] dims = new long[distances.dimension() + 1];
    java.util.Arrays.fill(dims, 1);
    dims[0] = temperatures.length;
    return new Shape(dims);
  }

  private static int[] transposeLastTwo(int dims) {
    int[] axes = new int[dims];
    for (int i = 0; i < dims; i++) {
      axes[i] = i;
    }
    axes[dims - 1] = dims - 2;
    axes[dims - 2] = dims - 1;
    return axes;
  }
}
