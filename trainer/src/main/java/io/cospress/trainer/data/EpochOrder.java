package io.cospress.trainer.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The order in which a training epoch visits the dataset.
 *
 * <p>The permutation of epoch {@code e} is a pure function of {@code (seed, e, n)}, so a resumed
 * run needs only the epoch and the batch index to continue exactly where it stopped. Batches are
 * consecutive slices of the permutation and the last incomplete slice is dropped: every step then
 * sees exactly {@code batchSize} images, so the global CosPress term (a softmax over the whole
 * batch) always compares the same number of neighbours and its scale does not jump at epoch end.
 */
public final class EpochOrder {

  private EpochOrder() {}

  /**
   * A uniformly random permutation of {@code 0..n-1} for {@code epoch}, by Fisher–Yates.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static int[] permutation(int n, long seed, long epoch) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(Seeds.derive(seed, Seeds.EPOCH_ORDER, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * Full batches in an epoch of {@code n} images: {@code floor(n / batchSize)}.
   *
   * @throws IllegalArgumentException if {@code n} is negative or {@code batchSize} not positive
   */
  public static int batchesPerEpoch(int n, int batchSize) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }
    return n / batchSize;
  }

  /** The dataset indices of batch {@code batchIndex}: a slice of {@code permutation}. */
  public static int[] batch(int[] permutation, int batchIndex, int batchSize) {
    int from = Math.multiplyExact(batchIndex, batchSize);
    if (batchIndex < 0 || from + batchSize > permutation.length) {
      throw new IndexOutOfBoundsException(
          "batch " + batchIndex + " of size " + batchSize + " exceeds " + permutation.length);
    }
    return Arrays.copyOfRange(permutation, from, from + batchSize);
  }
}
