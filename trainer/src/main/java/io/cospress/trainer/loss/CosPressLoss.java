package io.cospress.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.cospress.trainer.torch.Scalars;
import java.util.List;

/**
 * The CosPress objective as docs/objective.md defines it.
 *
 * <p>Inputs are teacher tokens {@code t [B,T,Dt]} (no gradient), compressed tokens {@code c = h(t)
 * [B,T,Ds]} (gradient flows to the head) and student tokens {@code s [B,T,Ds]}. The SNE terms see
 * {@code c} directly, the cosine terms see it through a stop-gradient, so the head learns only to
 * preserve angles and the student only to match the compressed embedding. With {@code T = 1}
 * (pooled teachers or pooled-only runs) the local and feature terms are zero by definition.
 *
 * <p>On the PyTorch engine every op is a JNI call and every elementwise op over the {@code [K, B,
 * T, T]} similarity arrays costs real time, forward and backward; so all temperatures are handled
 * in one broadcast, the SNE terms differentiate in closed form ({@link SneDivergence}), and the
 * tensors that never change live in {@link LossConstants} for the life of the loss.
 */
public final class CosPressLoss implements AutoCloseable {

  private static final float NORM_EPS = 1e-12f;
  private static final NDIndex FIRST_TOKEN = new NDIndex(":, 0, :");

  private final LossWeights weights;
  private final LossConstants constants;
  private final SneDivergence sne;

  public CosPressLoss(List<Double> temperatures, LossWeights weights) {
    if (temperatures.isEmpty()) {
      throw new IllegalArgumentException("at least one temperature is required");
    }
    float[] taus = new float[temperatures.size()];
    for (int i = 0; i < taus.length; i++) {
      double tau = temperatures.get(i);
      if (!(tau > 0)) {
        throw new IllegalArgumentException("temperatures must be > 0, got " + tau);
      }
      taus[i] = (float) tau;
    }
    this.weights = weights;
    this.constants = new LossConstants(taus);
    this.sne = new SneDivergence(constants);
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
    NDArray cTarget = c.stopGradient();
    NDArray tFirst = t.get(FIRST_TOKEN);
    NDArray cFirst = c.get(FIRST_TOKEN);

    // The batch's first tokens form one set for the global term.
    NDArray global = sne.meanDivergence(tFirst.expandDims(0), cFirst.expandDims(0));
    NDArray token = meanOneMinusCosine(s.get(FIRST_TOKEN), cTarget.get(FIRST_TOKEN));

    NDArray local;
    NDArray feature;
    if (tokens > 1) {
      // One set per image, over its tokens.
      local = sne.meanDivergence(t, c);
      long batch = s.getShape().get(0);
      feature = meanOneMinusCosine(s.reshape(batch, -1), cTarget.reshape(batch, -1));
    } else {
      local = Scalars.constant(s, 0);
      feature = Scalars.constant(s, 0);
    }

    NDArray total =
        weighted(local, weights.local())
            .add(weighted(global, weights.global()))
            .add(weighted(feature, weights.feature()))
            .add(weighted(token, weights.token()));
    return new LossTerms(local, global, feature, token, total);
  }

  private static NDArray weighted(NDArray term, double weight) {
    return weight == 1 ? term : Scalars.times(term, weight);
  }

  /** {@code mean_b (1 - cos(a_b, b_b))} over the rows of two {@code [B, d]} arrays. */
  private static NDArray meanOneMinusCosine(NDArray a, NDArray b) {
    long rows = a.getShape().get(0);
    NDArray dots =
        a.normalize(2, -1, NORM_EPS).reshape(-1).dot(b.normalize(2, -1, NORM_EPS).reshape(-1));
    return Scalars.oneMinus(Scalars.over(dots, rows));
  }

  private static NDArray asTokens(NDArray x) {
    return x.getShape().dimension() == 2 ? x.expandDims(1) : x;
  }

  /** Releases the cached constant tensors. */
  @Override
  public void close() {
    constants.close();
  }
}
