package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochOrderTest {

  @Test
  void orderIsAPermutationOfAllIndices() {
    int[] order = EpochOrder.permutation(1000, 42, 3);

    assertThat(order).hasSize(1000);
    assertThat(Arrays.stream(order).sorted().toArray())
        .containsExactly(IntStream.range(0, 1000).toArray());
    assertThat(order).isNotEqualTo(IntStream.range(0, 1000).toArray());
  }

  @Test
  void orderIsReproducibleForTheSameSeedAndEpoch() {
    assertThat(EpochOrder.permutation(500, 42, 7))
        .containsExactly(EpochOrder.permutation(500, 42, 7));
  }

  @Test
  void orderDiffersAcrossEpochsAndSeeds() {
    int[] base = EpochOrder.permutation(500, 42, 7);

    assertThat(EpochOrder.permutation(500, 42, 8)).isNotEqualTo(base);
    assertThat(EpochOrder.permutation(500, 43, 7)).isNotEqualTo(base);
    // Neighbouring (seed, epoch) pairs must not give shifted copies of each other.
    assertThat(EpochOrder.permutation(500, 43, 6)).isNotEqualTo(base);
  }

  @Test
  void everyPositionIsEquallyLikelyToHoldAnyIndex() {
    int n = 4;
    int epochs = 24_000;
    int[][] counts = new int[n][n];
    for (int e = 0; e < epochs; e++) {
      int[] order = EpochOrder.permutation(n, 5, e);
      for (int p = 0; p < n; p++) {
        counts[p][order[p]]++;
      }
    }
    for (int[] row : counts) {
      for (int count : row) {
        assertThat(count).isBetween(epochs / n - 400, epochs / n + 400);
      }
    }
  }

  @Test
  void incompleteLastBatchIsDropped() {
    assertThat(EpochOrder.batchesPerEpoch(60_000, 64)).isEqualTo(937);
    assertThat(EpochOrder.batchesPerEpoch(128, 64)).isEqualTo(2);
    assertThat(EpochOrder.batchesPerEpoch(63, 64)).isZero();
  }

  @Test
  void batchesAreConsecutiveSlicesOfThePermutation() {
    int[] order = EpochOrder.permutation(10, 1, 0);

    assertThat(EpochOrder.batch(order, 1, 4))
        .containsExactly(order[4], order[5], order[6], order[7]);
    assertThatThrownBy(() -> EpochOrder.batch(order, 2, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void rejectsNonPositiveBatchSize() {
    assertThatThrownBy(() -> EpochOrder.batchesPerEpoch(10, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
