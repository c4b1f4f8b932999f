package io.cospress.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The closed-form SNE divergence against autograd through the definition in docs/objective.md,
 * written out op by op (log-softmax, logaddexp, logsumexp normalisation, KL), in float64.
 */
class SneDivergenceTest {

  private static final float[] TEMPERATURES = {0.01f, 0.03f, 0.1f};

  /** Mean over sets and temperatures of KL(P_t || P_c), straight from the definition. */
  private static NDArray definition(NDArray t, NDArray c) {
    NDArray tau =
        t.getManager().create(TEMPERATURES).toType(t.getDataType(), false).reshape(3, 1, 1, 1);
    NDArray pT = jointLog(t, tau);
    NDArray pC = jointLog(c, tau);
    return pT.exp().mul(pT.sub(pC)).sum(new int[] {-2, -1}).mean();
  }

  private static NDArray jointLog(NDArray x, NDArray tau) {
    NDArray unit = x.div(x.norm(new int[] {-1}, true));
    NDArray cos = unit.matMul(unit.transpose(0, 2, 1));
    long n = x.getShape().get(1);
    NDArray d = cos.sub(x.getManager().eye((int) n).toType(x.getDataType(), false).mul(1e8));
    NDArray l = d.expandDims(0).div(tau).logSoftmax(-1);
    NDArray lt = l.transpose(0, 1, 3, 2);
    NDArray m = l.maximum(lt);
    NDArray j = m.add(l.sub(m).exp().add(lt.sub(m).exp()).log());
    Shape s = j.getShape();
    NDArray flat = j.reshape(s.get(0), s.get(1), -1);
    NDArray mx = flat.max(new int[] {-1}, true);
    NDArray lse = mx.add(flat.sub(mx).exp().sum(new int[] {-1}, true).log());
    return j.sub(lse.reshape(s.get(0), s.get(1), 1, 1));
  }

  private static double[] valueAndGradient(NDArray t, NDArray c, boolean closedForm) {
    NDArray leaf = c.duplicate();
    leaf.setRequiresGradient(true);
    double value;
    try (LossConstants constants = new LossConstants(TEMPERATURES);
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray kl =
          closedForm ? new SneDivergence(constants).meanDivergence(t, leaf) : definition(t, leaf);
      collector.backward(kl);
      value = kl.toType(DataType.FLOAT64, false).getDouble();
    }
    double[] grad = leaf.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    double[] out = new double[grad.length + 1];
    out[0] = value;
    System.arraycopy(grad, 0, out, 1, grad.length);
    return out;
  }

  @Test
  void closedFormValueAndGradientMatchAutogradThroughTheDefinition() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(7);
      // 3 sets of 12 vectors; the compressed vectors are a noisy projection of the teacher's, so
      // the two similarity structures are related but not equal, as during training.
      NDArray t = manager.randomNormal(new Shape(3, 12, 16)).toType(DataType.FLOAT64, false);
      NDArray c =
          t.get(":, :, :8")
              .add(manager.randomNormal(new Shape(3, 12, 8)).toType(DataType.FLOAT64, false));
      double[] reference = valueAndGradient(t, c, false);
      double[] closed = valueAndGradient(t, c, true);

      assertThat(reference[0]).isGreaterThan(0.01);
      // 1e-7, not float64 rounding: the loss's scale factors are float constants.
      assertThat(closed[0]).isCloseTo(reference[0], within(1e-7 * reference[0]));
      double scale = 0;
      for (int i = 1; i < reference.length; i++) {
        scale = Math.max(scale, Math.abs(reference[i]));
      }
      assertThat(scale).isGreaterThan(0);
      for (int i = 1; i < reference.length; i++) {
        assertThat(closed[i])
            .as("gradient[%d]", i - 1)
            .isCloseTo(reference[i], within(1e-7 * scale));
      }
    }
  }

  @Test
  void float32ResultStaysCloseToFloat64WhenSmallTemperaturesUnderflowTheSoftmax() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(11);
      // Unrelated sets at τ = 0.01: many softmax entries underflow to zero in float32.
      NDArray t = manager.randomNormal(new Shape(2, 40, 24));
      NDArray c = manager.randomNormal(new Shape(2, 40, 12));
      double[] exact =
          valueAndGradient(
              t.toType(DataType.FLOAT64, false), c.toType(DataType.FLOAT64, false), false);
      double[] single = valueAndGradient(t, c, true);

      assertThat(Double.isFinite(single[0])).isTrue();
      assertThat(single[0]).isCloseTo(exact[0], within(1e-4 * exact[0]));
      double scale = 0;
      for (int i = 1; i < exact.length; i++) {
        scale = Math.max(scale, Math.abs(exact[i]));
      }
      for (int i = 1; i < exact.length; i++) {
        assertThat(single[i]).as("gradient[%d]", i - 1).isCloseTo(exact[i], within(1e-4 * scale));
      }
    }
  }
}
