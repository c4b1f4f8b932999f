package io.cospress.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.model.TrainableParameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {

  private static final AdamWSettings SETTINGS = new AdamWSettings(0.9, 0.999, 1e-8, 0.1, null);

  /** Scalar AdamW written out by hand for f(w) = sum(w^2), gradient 2w. */
  private static double[] reference(double[] w, double lr, int steps, boolean decay) {
    double[] m = new double[w.length];
    double[] v = new double[w.length];
    double[] x = w.clone();
    for (int t = 1; t <= steps; t++) {
      for (int i = 0; i < x.length; i++) {
        double g = 2 * x[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        if (decay) {
          x[i] *= 1 - lr * 0.1;
        }
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.999, t));
        x[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
    return x;
  }

  private static void backward(NDArray weight) {
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(weight.square().sum());
    }
  }

  @Test
  void matrixUpdatesFollowAdamWWithDecoupledWeightDecay() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[] {1f, -2f, 0.5f, 3f}).reshape(2, 2);
      w.setRequiresGradient(true);
      try (AdamW adamW = new AdamW(manager, List.of(new TrainableParameter("w", w)), SETTINGS)) {
        for (int i = 0; i < 5; i++) {
          backward(w);
          adamW.step(0.01);
        }
        assertThat(adamW.updates()).isEqualTo(5);
      }
      double[] expected = reference(new double[] {1, -2, 0.5, 3}, 0.01, 5, true);
      float[] actual = w.toFloatArray();
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) actual[i]).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  @Test
  void biasesAreNotDecayed() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray b = manager.create(new float[] {1f, -2f});
      b.setRequiresGradient(true);
      try (AdamW adamW = new AdamW(manager, List.of(new TrainableParameter("b", b)), SETTINGS)) {
        for (int i = 0; i < 3; i++) {
          backward(b);
          adamW.step(0.05);
        }
      }
      double[] expected = reference(new double[] {1, -2}, 0.05, 3, false);
      assertThat((double) b.toFloatArray()[0]).isCloseTo(expected[0], within(1e-5));
      assertThat((double) b.toFloatArray()[1]).isCloseTo(expected[1], within(1e-5));
    }
  }

  @Test
  void restoredStateContinuesExactlyLikeAnUninterruptedRun() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.create(new float[] {0.3f, -1.2f, 2f, 0.7f}).reshape(2, 2);
      NDArray b = a.duplicate();
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      try (AdamW first = new AdamW(manager, List.of(new TrainableParameter("w", a)), SETTINGS);
          AdamW second = new AdamW(manager, List.of(new TrainableParameter("w", b)), SETTINGS)) {
        for (int i = 0; i < 3; i++) {
          backward(a);
          first.step(0.01);
          backward(b);
          second.step(0.01);
        }
        NDList saved = first.state();
        long updates = first.updates();
        try (AdamW resumed =
            new AdamW(manager, List.of(new TrainableParameter("w", a)), SETTINGS)) {
          resumed.restore(saved, updates);
          assertThat(resumed.state().get("m/w").toFloatArray())
              .containsExactly(first.state().get("m/w").toFloatArray());
          for (int i = 0; i < 3; i++) {
            backward(a);
            resumed.step(0.01);
            backward(b);
            second.step(0.01);
          }
        }
      }
      assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
    }
  }

  @Test
  void gradientsAreClearedAfterEachStep() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[] {1f, 2f}).reshape(1, 2);
      w.setRequiresGradient(true);
      try (AdamW adamW = new AdamW(manager, List.of(new TrainableParameter("w", w)), SETTINGS)) {
        backward(w);
        adamW.step(0.01);
        assertThat(w.getGradient().toFloatArray()).containsOnly(0f);
      }
    }
  }

  @Test
  void clippingBoundsTheUpdateDirectionNotItsAdamScale() {
    AdamWSettings clipped = new AdamWSettings(0.9, 0.999, 1e-8, 0.0, 1.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[] {30f, 40f}).reshape(1, 2);
      w.setRequiresGradient(true);
      try (AdamW adamW = new AdamW(manager, List.of(new TrainableParameter("w", w)), clipped)) {
        backward(w);
        double norm = adamW.step(0.01);
        assertThat(norm).isCloseTo(100.0, within(1e-3)); // |2w| before clipping
      }
    }
  }
}
