package io.cospress.trainer.eval;

/**
 * Compares the pairwise cosine-similarity structure of teacher and student embeddings of the same
 * images, the property CosPress distillation is meant to preserve.
 */
public final class SimilarityPreservation {

  private SimilarityPreservation() {}

  /**
   * Measures how closely the student's pairwise cosine similarities follow the teacher's.
   *
   * <p>Only off-diagonal pairs i &lt; j are used: the diagonal is 1 for both models and the matrix
   * is symmetric, so including them would only dilute the statistics.
   *
   * @param teacher teacher CLS embeddings, one row per image
   * @param student student CLS embeddings of the same images in the same order; the dimension may
   *     differ from the teacher's
   * @throws IllegalArgumentException if the row counts differ or there are fewer than two images
   */
  public static SimilarityPreservationReport compare(float[][] teacher, float[][] student) {
    if (teacher.length != student.length) {
      throw new IllegalArgumentException(
          "teacher has " + teacher.length + " images but student has " + student.length);
    }
    if (teacher.length < 2) {
      throw new IllegalArgumentException("need at least two images to form a pair");
    }
    double[] teacherPairs = upperTriangle(Embeddings.cosineSimilarityMatrix(teacher));
    double[] studentPairs = upperTriangle(Embeddings.cosineSimilarityMatrix(student));
    return new SimilarityPreservationReport(
        meanAbsoluteDifference(teacherPairs, studentPairs), spearman(teacherPairs, studentPairs));
  }

  /**
   * Spearman rank correlation: the Pearson correlation of average ranks, so ties are handled.
   *
   * @return the correlation in [-1, 1], or NaN if either input is constant
   */
  static double spearman(double[] x, double[] y) {
    return pearson(AverageRanks.of(x), AverageRanks.of(y));
  }

  private static double pearson(double[] x, double[] y) {
    double meanX = mean(x);
    double meanY = mean(y);
    double covariance = 0;
    double varianceX = 0;
    double varianceY = 0;
    for (int i = 0; i < x.length; i++) {
      double dx = x[i] - meanX;
      double dy = y[i] - meanY;
      covariance += dx * dy;
      varianceX += dx * dx;
      varianceY += dy * dy;
    }
    if (varianceX == 0 || varianceY == 0) {
      return Double.NaN;
    }
    return covariance / Math.sqrt(varianceX * varianceY);
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.length;
  }

  private static double meanAbsoluteDifference(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / a.length;
  }

  private static double[] upperTriangle(float[][] matrix) {
    int n = matrix.length;
    double[] pairs = new double[Math.toIntExact((long) n * (n - 1) / 2)];
    int next = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        pairs[next++] = matrix[i][j];
      }
    }
    return pairs;
  }
}
