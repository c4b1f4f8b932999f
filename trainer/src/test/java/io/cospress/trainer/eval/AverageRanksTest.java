package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AverageRanksTest {

  @Test
  void ranksDistinctValuesFromOneInAscendingOrder() {
    assertThat(AverageRanks.of(new double[] {30, 10, 20})).containsExactly(3, 1, 2);
  }

  @Test
  void givesTiedValuesTheMeanOfTheRanksTheySpan() {
    assertThat(AverageRanks.of(new double[] {10, 20, 20, 30})).containsExactly(1, 2.5, 2.5, 4);
    assertThat(AverageRanks.of(new double[] {5, 5, 5})).containsExactly(2, 2, 2);
  }

  @Test
  void treatsNegativeZeroAsTiedWithZero() {
    assertThat(AverageRanks.of(new double[] {0.0, -0.0, 1})).containsExactly(1.5, 1.5, 3);
  }

  @Test
  void ranksInfinitiesAtTheEnds() {
    double inf = Double.POSITIVE_INFINITY;
    assertThat(AverageRanks.of(new double[] {inf, -inf, inf, 0})).containsExactly(3.5, 1, 3.5, 2);
  }

  @Test
  void rejectsNaN() {
    assertThatThrownBy(() -> AverageRanks.of(new double[] {1, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
