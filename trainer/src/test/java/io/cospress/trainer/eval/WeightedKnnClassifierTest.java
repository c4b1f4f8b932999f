package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedKnnClassifierTest {

  private static final float[][] QUERY_EAST = {{1, 0}};

  /**
   * Against QUERY_EAST: one class-0 neighbour at similarity 1, class-1 neighbours at 0.6 and 0.8,
   * and a class-0 row at -1 that the three nearest exclude. Lengths differ on purpose.
   */
  private static final float[][] MIXED_BANK = {{3, 0}, {0.6f, 0.8f}, {4, -3}, {-2, 0}};

  private static final int[] MIXED_LABELS = {0, 1, 1, 0};

  @Test
  void knnVotesWithExponentialSimilarityWeights() {
    // T = 0.1: class 0 gets e^10 ≈ 22026, class 1 gets e^6 + e^8 ≈ 3384, so the single closer
    // neighbour outvotes two farther ones.
    WeightedKnnClassifier sharp = new WeightedKnnClassifier(MIXED_BANK, MIXED_LABELS, 2, 3, 0.1);
    // T = 1: class 0 gets e^1 ≈ 2.718, class 1 gets e^0.6 + e^0.8 ≈ 4.048, so the majority wins.
    WeightedKnnClassifier soft = new WeightedKnnClassifier(MIXED_BANK, MIXED_LABELS, 2, 3, 1.0);

    assertThat(sharp.predict(QUERY_EAST)).containsExactly(0);
    assertThat(soft.predict(QUERY_EAST)).containsExactly(1);
  }

  @Test
  void onlyTheKMostSimilarBankRowsVote() {
    // Similarities to QUERY_EAST: 1 (class 1), 0 and 0 (class 0). With T = 10 the weights are
    // e^0.1 ≈ 1.105 for class 1 and 1 per class-0 row.
    float[][] bank = {{5, 0}, {0, 2}, {0, -7}};
    int[] labels = {1, 0, 0};

    assertThat(new WeightedKnnClassifier(bank, labels, 2, 1, 10).predict(QUERY_EAST))
        .containsExactly(1);
    assertThat(new WeightedKnnClassifier(bank, labels, 2, 2, 10).predict(QUERY_EAST))
        .containsExactly(1);
    assertThat(new WeightedKnnClassifier(bank, labels, 2, 3, 10).predict(QUERY_EAST))
        .containsExactly(0);
  }

  @Test
  void kLargerThanTheBankLetsEveryRowVote() {
    // All four rows at T = 1: class 0 gets e^1 + e^-1 ≈ 3.086, class 1 gets ≈ 4.048.
    WeightedKnnClassifier classifier =
        new WeightedKnnClassifier(MIXED_BANK, MIXED_LABELS, 2, 100, 1.0);

    assertThat(classifier.predict(QUERY_EAST)).containsExactly(1);
  }

  @Test
  void tiedClassWeightsGoToTheLowerClassIndex() {
    // Both rows are orthogonal to the query, so classes 1 and 2 get equal weight; class 0 none.
    float[][] bank = {{0, 1}, {0, -1}};
    int[] labels = {2, 1};

    assertThat(new WeightedKnnClassifier(bank, labels, 3, 2, 0.1).predict(QUERY_EAST))
        .containsExactly(1);
  }

  @Test
  void tinyTemperaturesDoNotOverflowTheVoteWeights() {
    // Unshifted, e^(1/0.001) and e^(0.99/0.001) are both infinite and class 0 would win the tie;
    // the single most similar row is really worth e^10 times more than the next.
    float[][] bank = {{1, 0}, unitWithX(0.99), unitWithX(0.98)};
    int[] labels = {1, 0, 0};

    assertThat(new WeightedKnnClassifier(bank, labels, 2, 3, 0.001).predict(QUERY_EAST))
        .containsExactly(1);
  }

  @Test
  void predictsEachQueryIndependently() {
    float[][] bank = {{1, 0}, {0, 1}};
    int[] labels = {0, 1};
    float[][] queries = {{0.2f, 3}, {5, 1}, {-1, 2}};

    assertThat(new WeightedKnnClassifier(bank, labels, 2, 1, 0.07).predict(queries))
        .containsExactly(1, 0, 1);
  }

  @Test
  void withKOneAQueryDuplicatingABankRowGetsThatRowsLabel() {
    Random random = new Random(2024);
    int bankSize = 400;
    int dim = 24;
    float[][] bank = new float[bankSize][dim];
    int[] labels = new int[bankSize];
    for (int i = 0; i < bankSize; i++) {
      for (int j = 0; j < dim; j++) {
        bank[i][j] = (float) random.nextGaussian();
      }
      labels[i] = random.nextInt(10);
    }
    int[] picked = random.ints(60, 0, bankSize).toArray();
    float[][] queries = new float[picked.length][dim];
    for (int q = 0; q < picked.length; q++) {
      float scale = 0.1f + 10 * random.nextFloat();
      for (int j = 0; j < dim; j++) {
        queries[q][j] = bank[picked[q]][j] * scale;
      }
    }

    int[] predictions = new WeightedKnnClassifier(bank, labels, 10, 1, 0.07).predict(queries);

    for (int q = 0; q < picked.length; q++) {
      assertThat(predictions[q])
          .as("query %d (bank row %d)", q, picked[q])
          .isEqualTo(labels[picked[q]]);
    }
  }

  @Test
  void rejectsInconsistentConfiguration() {
    float[][] bank = {{1, 0}, {0, 1}};
    assertThatThrownBy(() -> new WeightedKnnClassifier(bank, new int[] {0}, 2, 1, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeightedKnnClassifier(bank, new int[] {0, 2}, 2, 1, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 2");
    assertThatThrownBy(() -> new WeightedKnnClassifier(bank, new int[] {0, 1}, 2, 0, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeightedKnnClassifier(bank, new int[] {0, 1}, 2, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeightedKnnClassifier(new float[0][], new int[0], 2, 1, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void accuracyIsTheFractionOfCorrectPredictions() {
    assertThat(WeightedKnnClassifier.accuracy(new int[] {0, 1, 2, 1}, new int[] {0, 1, 1, 1}))
        .isEqualTo(0.75);
  }

  @Test
  void agreementIsTheFractionOfEqualPredictions() {
    assertThat(WeightedKnnClassifier.agreement(new int[] {3, 3, 0}, new int[] {3, 1, 0}))
        .isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void accuracyRejectsEmptyOrMismatchedArrays() {
    assertThatThrownBy(() -> WeightedKnnClassifier.accuracy(new int[0], new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedKnnClassifier.agreement(new int[] {1}, new int[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Unit vector with the given x component and a positive y component. */
  private static float[] unitWithX(double x) {
    return new float[] {(float) x, (float) Math.sqrt(1 - x * x)};
  }
}
