package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.config.Precision;
import io.cospress.trainer.loss.LossValues;
import org.junit.jupiter.api.Test;

/**
 * {@code precision: bf16} against fp32 on the quickstart models, same weights and images, on CPU
 * (libtorch computes bfloat16 there too): every loss term of two steps within {@value
 * #TERM_TOLERANCE}, the total within {@value #TOTAL_RELATIVE} of itself, and the weights' change
 * over the two steps pointing the same way (cosine ≥ {@value #UPDATE_COSINE}, relative L2
 * difference ≤ {@value #UPDATE_RELATIVE}); the master weights stay float32.
 */
class Bfloat16StepTest {

  static final double TERM_TOLERANCE = 0.01;
  static final double TOTAL_RELATIVE = 0.01;
  static final double UPDATE_COSINE = 0.98;
  static final double UPDATE_RELATIVE = 0.25;

  @Test
  void bfloat16StepsStayWithinToleranceOfFloat32() throws Exception {
    StepHarness.Outcome fp32 = StepHarness.run(Precision.FP32, 1, 2);
    StepHarness.Outcome bf16 = StepHarness.run(Precision.BF16, 1, 2);

    for (int s = 0; s < 2; s++) {
      LossValues a = fp32.losses().get(s);
      LossValues b = bf16.losses().get(s);
      assertThat(b.local()).as("local, step %d", s).isCloseTo(a.local(), within(TERM_TOLERANCE));
      assertThat(b.global()).as("global, step %d", s).isCloseTo(a.global(), within(TERM_TOLERANCE));
      assertThat(b.feature())
          .as("feature, step %d", s)
          .isCloseTo(a.feature(), within(TERM_TOLERANCE));
      assertThat(b.token()).as("token, step %d", s).isCloseTo(a.token(), within(TERM_TOLERANCE));
      assertThat(b.total())
          .as("total, step %d", s)
          .isCloseTo(a.total(), within(TOTAL_RELATIVE * a.total()));
    }
    assertThat(bf16.losses().get(0).total()).isNotEqualTo(fp32.losses().get(0).total());
    assertThat(StepHarness.cosine(bf16.update(), fp32.update())).isGreaterThan(UPDATE_COSINE);
    assertThat(StepHarness.relativeDifference(bf16.update(), fp32.update()))
        .isLessThan(UPDATE_RELATIVE);
  }

  @Test
  void masterWeightsAndOptimizerStayFloat32WhileCopiesAreBfloat16() throws Exception {
    StepHarness.Outcome bf16 = StepHarness.run(Precision.BF16, 1, 1);
    assertThat(bf16.types()).isNotEmpty().allMatch(t -> t.endsWith(":float32"));
    assertThat(bf16.copyTypes())
        .as("the student's working copies")
        .filteredOn(t -> t.startsWith("student."))
        .isNotEmpty()
        .allMatch(t -> t.endsWith(":" + DataType.UNKNOWN)); // how DJL reads bfloat16
    assertThat(bf16.momentTypes()).isNotEmpty().allMatch(t -> t == DataType.FLOAT32);
  }

  @Test
  void bfloat16CopiesHoldTheMastersRounded() throws Exception {
    StepHarness.Outcome bf16 = StepHarness.run(Precision.BF16, 1, 1);
    assertThat(bf16.copyMismatch()).isLessThanOrEqualTo(1.0 / 256);
  }

  static boolean isFloat32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32;
  }
}
