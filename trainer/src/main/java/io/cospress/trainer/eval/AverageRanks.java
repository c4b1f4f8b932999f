package io.cospress.trainer.eval;

import java.util.Arrays;

/** Ranks values for rank statistics (AUROC, Spearman), giving tied values their average rank. */
final class AverageRanks {

  private AverageRanks() {}

  /**
   * Returns the 1-based rank of each value in ascending order; a group of equal values shares the
   * mean of the ranks it spans (e.g. {@code [10, 20, 20, 30]} ranks as {@code [1, 2.5, 2.5, 4]}).
   *
   * @throws IllegalArgumentException if any value is NaN
   */
  static double[] of(double[] values) {
    double[] sorted = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      sorted[i] = canonical(values[i]);
    }
    Arrays.sort(sorted);
    double[] ranks = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      double value = canonical(values[i]);
      // The tie group holding this value spans 1-based ranks below+1 .. atMost; average them.
      int below = countBelow(sorted, value);
      int atMost = countAtMost(sorted, value);
      ranks[i] = (below + 1.0 + atMost) / 2.0;
    }
    return ranks;
  }

  /** Maps -0.0 to 0.0, which Arrays.sort would otherwise order as distinct values. */
  private static double canonical(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("cannot rank NaN");
    }
    return value + 0.0;
  }

  /** Number of entries of ascending {@code sorted} that are less than {@code value}. */
  private static int countBelow(double[] sorted, double value) {
    int low = 0;
    int high = sorted.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (sorted[mid] < value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Number of entries of ascending {@code sorted} that are less than or equal to {@code value}. */
  private static int countAtMost(double[] sorted, double value) {
    int low = 0;
    int high = sorted.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (sorted[mid] <= value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
