package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityPreservationTest {

  @Test
  void identicalEmbeddingsPreserveSimilaritiesPerfectly() {
    float[][] teacher = gaussian(new Random(3), 10, 8);

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, teacher);

    assertThat(report.meanAbsoluteError()).isEqualTo(0.0);
    assertThat(report.spearman()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void rescaledRowsInAnotherDimensionKeepTheSameCosineStructure() {
    Random random = new Random(5);
    float[][] teacher = gaussian(random, 10, 8);
    float[][] student = new float[10][12];
    for (int i = 0; i < teacher.length; i++) {
      float scale = 0.5f + 4 * random.nextFloat();
      for (int j = 0; j < 8; j++) {
        student[i][j] = teacher[i][j] * scale;
      }
    }

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, student);

    assertThat(report.meanAbsoluteError()).isCloseTo(0.0, within(1e-6));
    assertThat(report.spearman()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void monotoneTransformOfSimilaritiesHasSpearmanOneButNonZeroError() {
    // Teacher angles 0, 20, 50, 85 degrees give pair angles d = 20, 50, 85, 30, 65, 35; doubling
    // every angle maps cos(d) to cos(2d), which is decreasing in d for d <= 90, so pair order is
    // kept. MAE = mean |cos d - cos 2d| = (0.17365 + 0.81644 + 1.07196 + 0.36603 + 1.06541
    // + 0.47713) / 6 = 0.66177.
    float[][] teacher = {unit(0), unit(20), unit(50), unit(85)};
    float[][] student = {unit3d(0), unit3d(40), unit3d(100), unit3d(170)};

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, student);

    assertThat(report.spearman()).isCloseTo(1.0, within(1e-12));
    assertThat(report.meanAbsoluteError()).isCloseTo(0.66177, within(1e-5));
  }

  @Test
  void reversedPairOrderHasSpearmanMinusOne() {
    // Pairs (0,1), (0,2), (1,2): teacher angles 30, 90, 60 -> cos 0.86603, 0, 0.5;
    // student angles 100, 20, 80 -> cos -0.17365, 0.93969, 0.17365: exactly the reverse order.
    // MAE = (1.03967 + 0.93969 + 0.32635) / 3 = 0.76857.
    float[][] teacher = {unit(0), unit(30), unit(90)};
    float[][] student = {unit(0), unit(100), unit(20)};

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, student);

    assertThat(report.spearman()).isCloseTo(-1.0, within(1e-12));
    assertThat(report.meanAbsoluteError()).isCloseTo(0.76857, within(1e-5));
  }

  @Test
  void tiedSimilaritiesShareTheirAverageRank() {
    // Teacher pairs (0,1), (0,2), (1,2) have similarities 0, -1, 0 -> ranks 2.5, 1, 2.5.
    // Student pairs have 0.6, 0, 0.8 -> ranks 2, 1, 3. Centred ranks (0.5, -1, 0.5) and
    // (0, -1, 1): covariance 1.5, variances 1.5 and 2, so rho = 1.5 / sqrt(3) = 0.866025.
    // Breaking the tie by position instead would give rho = 1.
    float[][] teacher = {{1, 0}, {0, 1}, {-1, 0}};
    float[][] student = {{1, 0}, {0.6f, 0.8f}, {0, 1}};

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, student);

    assertThat(report.spearman()).isCloseTo(0.866025, within(1e-6));
    // (|0 - 0.6| + |-1 - 0| + |0 - 0.8|) / 3.
    assertThat(report.meanAbsoluteError()).isCloseTo(0.8, within(1e-6));
  }

  @Test
  void spearmanIsNaNWhenASinglePairLeavesNothingToRank() {
    float[][] teacher = {{1, 0}, {0, 1}};
    float[][] student = {{1, 0}, {1, 1}};

    SimilarityPreservationReport report = SimilarityPreservation.compare(teacher, student);

    assertThat(report.spearman()).isNaN();
    assertThat(report.meanAbsoluteError()).isCloseTo(Math.sqrt(0.5), within(1e-6));
  }

  @Test
  void rejectsDifferentImageCountsAndFewerThanTwoImages() {
    assertThatThrownBy(
            () -> SimilarityPreservation.compare(new float[][] {{1}, {2}}, new float[][] {{1}}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> SimilarityPreservation.compare(new float[][] {{1}}, new float[][] {{1}}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static float[] unit(double degrees) {
    double radians = Math.toRadians(degrees);
    return new float[] {(float) Math.cos(radians), (float) Math.sin(radians)};
  }

  /** Same direction as {@link #unit} but in three dimensions, so dims differ from the teacher. */
  private static float[] unit3d(double degrees) {
    float[] planar = unit(degrees);
    return new float[] {planar[0], planar[1], 0};
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
}
