package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddingsTest {

  private static final float SQRT_HALF = 0.70710678f;

  @Test
  void l2NormalizeRowsScalesEachRowToUnitLengthWithoutTouchingInput() {
    float[][] rows = {{3, 4}, {0, -2}};

    float[][] normalized = Embeddings.l2NormalizeRows(rows);

    assertThat(normalized[0]).containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
    assertThat(normalized[1]).containsExactly(new float[] {0, -1}, within(1e-6f));
    assertThat(rows[0]).containsExactly(3, 4);
    assertThat(rows[1]).containsExactly(0, -2);
  }

  @Test
  void l2NormalizeRowsLeavesAllZeroRowsAtZero() {
    float[][] normalized = Embeddings.l2NormalizeRows(new float[][] {{0, 0, 0}});

    assertThat(normalized[0]).containsExactly(0, 0, 0);
  }

  @Test
  void l2NormalizeRowsRejectsNonFiniteValues() {
    assertThatThrownBy(() -> Embeddings.l2NormalizeRows(new float[][] {{1, 2}, {Float.NaN, 0}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 1");
  }

  @Test
  void l2NormalizeRowsRejectsRowsOfDifferentLengths() {
    assertThatThrownBy(() -> Embeddings.l2NormalizeRows(new float[][] {{1, 2}, {1, 2, 3}}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dotProductIncludesTailBeyondMultipleOfFour() {
    // 1 + 2 + 3 + 4 + 5 * 2 = 20; the fifth element exercises the non-unrolled tail.
    assertThat(Embeddings.dot(new float[] {1, 2, 3, 4, 5}, new float[] {1, 1, 1, 1, 2}))
        .isEqualTo(20f);
  }

  @Test
  void cosineSimilarityMatrixIgnoresVectorLengths() {
    float[][] rows = {{1, 0}, {0, 2}, {3, 3}};

    float[][] similarities = Embeddings.cosineSimilarityMatrix(rows);

    assertThat(similarities[0]).containsExactly(new float[] {1, 0, SQRT_HALF}, within(1e-6f));
    assertThat(similarities[1]).containsExactly(new float[] {0, 1, SQRT_HALF}, within(1e-6f));
    assertThat(similarities[2])
        .containsExactly(new float[] {SQRT_HALF, SQRT_HALF, 1}, within(1e-6f));
  }

  @Test
  void cosineSimilaritiesCompareEachQueryWithEachBankRow() {
    float[][] queries = {{1, 0}, {0, -1}};
    float[][] bank = {{2, 0}, {1, 1}, {0, 3}};

    float[][] similarities = Embeddings.cosineSimilarities(queries, bank);

    assertThat(similarities).hasDimensions(2, 3);
    assertThat(similarities[0]).containsExactly(new float[] {1, SQRT_HALF, 0}, within(1e-6f));
    assertThat(similarities[1]).containsExactly(new float[] {0, -SQRT_HALF, -1}, within(1e-6f));
  }

  @Test
  void dotProductRowsRejectQueriesOfAnotherDimension() {
    float[][] queries = {{1, 0, 0}};
    float[][] bank = {{1, 0}};

    assertThatThrownBy(() -> Embeddings.forEachDotProductRow(queries, bank, (q, row) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension");
  }

  @Test
  void dotProductRowsVisitNothingWithoutQueries() {
    Embeddings.forEachDotProductRow(
        new float[0][],
        new float[][] {{1}},
        (q, row) -> {
          throw new AssertionError("visited query " + q);
        });
  }

  @ParameterizedTest(name = "{0} query rows per block")
  @ValueSource(ints = {1, 3, 7, 64})
  void blockwiseDotProductsEqualNaiveDotProductsForEveryQueryOnce(int blockRows) {
    Random random = new Random(42);
    float[][] queries = gaussian(random, 37, 13);
    float[][] bank = gaussian(random, 29, 13);
    AtomicIntegerArray visits = new AtomicIntegerArray(queries.length);
    double[][] actual = new double[queries.length][];

    Embeddings.forEachDotProductRow(
        queries,
        bank,
        blockRows,
        (q, row) -> {
          visits.incrementAndGet(q);
          actual[q] = toDoubles(row);
        });

    for (int q = 0; q < queries.length; q++) {
      assertThat(visits.get(q)).as("visits of query %d", q).isEqualTo(1);
      for (int b = 0; b < bank.length; b++) {
        double expected = 0;
        for (int j = 0; j < 13; j++) {
          expected += (double) queries[q][j] * bank[b][j];
        }
        assertThat(actual[q][b]).as("query %d, bank %d", q, b).isCloseTo(expected, within(1e-4));
      }
    }
  }

  private static float[][] gaussian(Random random, int rows, int dim) {
    float[][] result = new float[rows][dim];
    for (float[] row : result) {
      for (int j = 0; j < dim; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return result;
  }

  private static double[] toDoubles(float[] values) {
    double[] result = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = values[i];
    }
    return result;
  }
}
