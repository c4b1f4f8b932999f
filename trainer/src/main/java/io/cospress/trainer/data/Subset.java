package io.cospress.trainer.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded, class-stratified subset of another source ({@code dataset.*.limit}).
 *
 * <p>Each class keeps its share of the source (largest-remainder rounding, so the sizes add up to
 * exactly the limit), and which images are kept is a pure function of the seed, so every pod of a
 * run and every restart sees the same subset. Kept images stay in source order, which preserves
 * file locality for folder datasets.
 */
public final class Subset implements ImageSource {

  private final ImageSource source;
  private final int[] sourceIndices;
  private final long seed;

  private Subset(ImageSource source, int[] sourceIndices, long seed) {
    this.source = source;
    this.sourceIndices = sourceIndices;
    this.seed = seed;
  }

  /**
   * At most {@code limit} images of {@code source}, stratified by class; {@code source} itself if
   * it is no larger than the limit.
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   */
  public static ImageSource stratified(ImageSource source, int limit, long seed) {
    Objects.requireNonNull(source, "source");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    int n = source.size();
    if (n <= limit) {
      return source;
    }
    int[][] byClass = indicesByClass(source);
    int[] quota = quotas(byClass, limit, n);
    int[] kept = new int[limit];
    int k = 0;
    for (int c = 0; c < byClass.length; c++) {
      int[] pool = byClass[c];
      // Partial Fisher–Yates: the first quota[c] slots become a uniform sample without replacement.
      SplittableRandom random = new SplittableRandom(Seeds.derive(seed, Seeds.SUBSET, c));
      for (int i = 0; i < quota[c]; i++) {
        int j = i + random.nextInt(pool.length - i);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        kept[k++] = pool[i];
      }
    }
    Arrays.sort(kept);
    return new Subset(source, kept, seed);
  }

  /** The index in the underlying source of subset image {@code i}. */
  public int sourceIndex(int i) {
    return sourceIndices[i];
  }

  @Override
  public int size() {
    return sourceIndices.length;
  }

  @Override
  public int label(int i) {
    return source.label(sourceIndices[i]);
  }

  /** The source's class count, so labels mean the same with and without a limit. */
  @Override
  public int numClasses() {
    return source.numClasses();
  }

  @Override
  public DecodedImage image(int i) {
    return source.image(sourceIndices[i]);
  }

  @Override
  public String describe() {
    return source.describe()
        + " (stratified subset of "
        + sourceIndices.length
        + ", seed "
        + seed
        + ")";
  }

  private static int[][] indicesByClass(ImageSource source) {
    int classes = source.numClasses();
    int[] counts = new int[classes];
    for (int i = 0; i < source.size(); i++) {
      counts[checkedLabel(source, i)]++;
    }
    int[][] byClass = new int[classes][];
    for (int c = 0; c < classes; c++) {
      byClass[c] = new int[counts[c]];
    }
    int[] fill = new int[classes];
    for (int i = 0; i < source.size(); i++) {
      int c = source.label(i);
      byClass[c][fill[c]++] = i;
    }
    return byClass;
  }

  private static int checkedLabel(ImageSource source, int i) {
    int c = source.label(i);
    if (c < 0 || c >= source.numClasses()) {
      throw new DatasetException(
          source.describe()
              + ": image "
              + i
              + " has label "
              + c
              + " outside [0, "
              + source.numClasses()
              + ")");
    }
    return c;
  }

  // Largest remainder: floor of each exact share, then one extra to the classes with the largest
  // fractional parts (lower class first on ties) until the total is exactly the limit.
  private static int[] quotas(int[][] byClass, int limit, int n) {
    int classes = byClass.length;
    int[] quota = new int[classes];
    long[] remainder = new long[classes];
    int assigned = 0;
    for (int c = 0; c < classes; c++) {
      long exact = (long) limit * byClass[c].length;
      quota[c] = (int) (exact / n);
      remainder[c] = exact % n;
      assigned += quota[c];
    }
    Integer[] byRemainder = new Integer[classes];
    for (int c = 0; c < classes; c++) {
      byRemainder[c] = c;
    }
    Arrays.sort(byRemainder, (a, b) -> Long.compare(remainder[b], remainder[a]));
    for (int r = 0; assigned < limit; r++) {
      quota[byRemainder[r]]++;
      assigned++;
    }
    return quota;
  }
}
