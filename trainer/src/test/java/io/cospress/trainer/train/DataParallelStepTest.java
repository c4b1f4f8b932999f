package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cospress.trainer.config.Precision;
import io.cospress.trainer.loss.LossValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-parallel replicas on the CPU (the replica logic is device-independent): N replicas, each on
 * a slice of the batch, against one replica on the whole batch, from the same weights and images.
 * Every loss term of three steps agrees to {@value #LOSS_RELATIVE} relative, the weights' change to
 * {@value #UPDATE_RELATIVE} relative L2 (float32 sums in another order are all that differ), and
 * after every step all replicas hold bit-identical weights ({@link StepHarness#replicasAgree},
 * checked inside the run).
 */
class DataParallelStepTest {

  static final double LOSS_RELATIVE = 1e-5;
  static final double UPDATE_RELATIVE = 1e-3;
  static final int STEPS = 3;

  @ParameterizedTest(name = "{0} replicas")
  @ValueSource(ints = {2, 3})
  void replicasOnSlicesMatchOneReplicaOnTheWholeBatch(int replicas) throws Exception {
    StepHarness.Outcome one = StepHarness.run(Precision.FP32, 1, STEPS);
    StepHarness.Outcome many = StepHarness.run(Precision.FP32, replicas, STEPS);

    for (int s = 0; s < STEPS; s++) {
      assertClose(many.losses().get(s), one.losses().get(s), s);
    }
    assertThat(StepHarness.relativeDifference(many.update(), one.update()))
        .isLessThan(UPDATE_RELATIVE);
    assertThat(many.copyTypes()).hasSize(one.copyTypes().size() * replicas);
  }

  @Test
  void bfloat16ReplicasMatchOneBfloat16Replica() throws Exception {
    StepHarness.Outcome one = StepHarness.run(Precision.BF16, 1, 2);
    StepHarness.Outcome two = StepHarness.run(Precision.BF16, 2, 2);
    for (int s = 0; s < 2; s++) {
      // bfloat16 products over other slice shapes round differently; the float32 sums do not.
      assertThat(two.losses().get(s).total())
          .isCloseTo(one.losses().get(s).total(), within(1e-3 * one.losses().get(s).total()));
    }
    assertThat(StepHarness.cosine(two.update(), one.update())).isGreaterThan(0.99);
  }

  private static void assertClose(LossValues got, LossValues want, int step) {
    double[] g = {got.local(), got.global(), got.feature(), got.token(), got.total()};
    double[] w = {want.local(), want.global(), want.feature(), want.token(), want.total()};
    String[] names = {"local", "global", "feature", "token", "total"};
    for (int i = 0; i < g.length; i++) {
      assertThat(g[i])
          .as("%s, step %d", names[i], step)
          .isCloseTo(w[i], within(LOSS_RELATIVE * Math.abs(w[i]) + 1e-7));
    }
  }
}
