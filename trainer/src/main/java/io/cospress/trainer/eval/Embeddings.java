package io.cospress.trainer.eval;

import java.util.stream.IntStream;

/**
 * Row-wise operations on embedding matrices ({@code float[rows][dim]}, one row per image).
 *
 * <p>Query-versus-bank similarities are produced block by block, so evaluating ~10k queries against
 * a ~50k bank never materialises the full similarity matrix.
 */
public final class Embeddings {

  /** Upper bound on floats held by one block of similarity rows (16 MiB). */
  private static final int TARGET_BLOCK_FLOATS = 1 << 22;

  /** Caps the rows per block so small banks still split work across threads. */
  private static final int MAX_BLOCK_ROWS = 128;

  private Embeddings() {}

  /**
   * Receives the similarities of one query against every bank row.
   *
   * <p>Implementations are called concurrently from several threads (each query index exactly once)
   * and must not retain the array, which the caller may reuse.
   */
  @FunctionalInterface
  public interface SimilarityRowConsumer {

    /**
     * Accepts one row of similarities.
     *
     * @param queryIndex index of the query row
     * @param similarities {@code similarities[b]} is the similarity of the query to bank row b
     */
    void accept(int queryIndex, float[] similarities);
  }

  /**
   * Returns a copy of {@code rows} with each row scaled to unit L2 norm.
   *
   * <p>All-zero rows stay zero: they have no direction, so they are treated as similar to nothing
   * (similarity 0) rather than producing NaN.
   *
   * @throws IllegalArgumentException if rows differ in length or contain NaN or infinity
   */
  public static float[][] l2NormalizeRows(float[][] rows) {
    requireDimension(rows, "rows");
    float[][] normalized = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      float[] row = rows[i];
      double squaredNorm = 0;
      for (float value : row) {
        if (!Float.isFinite(value)) {
          throw new IllegalArgumentException("row " + i + " contains a non-finite value");
        }
        squaredNorm += (double) value * value;
      }
      float[] copy = new float[row.length];
      if (squaredNorm > 0) {
        double inverseNorm = 1.0 / Math.sqrt(squaredNorm);
        for (int j = 0; j < row.length; j++) {
          copy[j] = (float) (row[j] * inverseNorm);
        }
      }
      normalized[i] = copy;
    }
    return normalized;
  }

  /**
   * Returns the n×n cosine-similarity matrix of {@code rows}; the input is not modified.
   *
   * <p>The result is exactly symmetric. Intended for validation samples of a few thousand rows; it
   * holds n² floats.
   */
  public static float[][] cosineSimilarityMatrix(float[][] rows) {
    float[][] normalized = l2NormalizeRows(rows);
    return cosineSimilaritiesOfNormalized(normalized, normalized);
  }

  /**
   * Returns the full {@code queries.length × bank.length} cosine-similarity matrix.
   *
   * <p>Convenient for moderate sizes; for large sets stream rows with {@link #forEachDotProductRow}
   * instead, which keeps memory bounded.
   */
  public static float[][] cosineSimilarities(float[][] queries, float[][] bank) {
    return cosineSimilaritiesOfNormalized(l2NormalizeRows(queries), l2NormalizeRows(bank));
  }

  /**
   * Streams the dot products of every query with every bank row, one query row at a time.
   *
   * <p>Pass rows already normalised with {@link #l2NormalizeRows} to obtain cosine similarities;
   * normalising here would copy the bank on every call. Work is split into blocks of query rows
   * that are processed in parallel, and each block holds at most about 16 MiB of results.
   *
   * @throws IllegalArgumentException if queries and bank have different dimensions
   */
  public static void forEachDotProductRow(
      float[][] queries, float[][] bank, SimilarityRowConsumer consumer) {
    int blockRows =
        Math.max(1, Math.min(MAX_BLOCK_ROWS, TARGET_BLOCK_FLOATS / Math.max(1, bank.length)));
    forEachDotProductRow(queries, bank, blockRows, consumer);
  }

  /** Like the public overload, but with an explicit number of query rows per block. */
  static void forEachDotProductRow(
      float[][] queries, float[][] bank, int blockRows, SimilarityRowConsumer consumer) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("blockRows must be positive: " + blockRows);
    }
    if (queries.length == 0) {
      return;
    }
    int queryDim = requireDimension(queries, "queries");
    if (bank.length > 0 && requireDimension(bank, "bank") != queryDim) {
      throw new IllegalArgumentException(
          "queries have dimension " + queryDim + " but bank has " + bank[0].length);
    }
    int blocks = (queries.length + blockRows - 1) / blockRows;
    IntStream.range(0, blocks)
        .parallel()
        .forEach(
            block -> {
              int first = block * blockRows;
              int end = Math.min(queries.length, first + blockRows);
              float[][] rows = dotProductBlock(queries, first, end, bank);
              for (int q = first; q < end; q++) {
                consumer.accept(q, rows[q - first]);
              }
            });
  }

  /** Dot product of two equal-length vectors. */
  static float dot(float[] a, float[] b) {
    // Four independent accumulators break the add dependency chain so the CPU can pipeline them.
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int n = a.length;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += a[j] * b[j];
      s1 += a[j + 1] * b[j + 1];
      s2 += a[j + 2] * b[j + 2];
      s3 += a[j + 3] * b[j + 3];
    }
    for (; j < n; j++) {
      s0 += a[j] * b[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static float[][] dotProductBlock(float[][] queries, int first, int end, float[][] bank) {
    float[][] rows = new float[end - first][bank.length];
    // Bank row outermost: each bank row is loaded once per block and reused from cache by every
    // query in the block, which matters because the bank is far larger than the cache.
    for (int b = 0; b < bank.length; b++) {
      float[] bankRow = bank[b];
      for (int q = first; q < end; q++) {
        rows[q - first][b] = dot(queries[q], bankRow);
      }
    }
    return rows;
  }

  private static float[][] cosineSimilaritiesOfNormalized(float[][] queries, float[][] bank) {
    float[][] result = new float[queries.length][];
    forEachDotProductRow(queries, bank, (q, similarities) -> result[q] = similarities.clone());
    return result;
  }

  /** Returns the common row length, or 0 for an empty matrix. */
  static int requireDimension(float[][] rows, String name) {
    if (rows.length == 0) {
      return 0;
    }
    int dim = rows[0].length;
    for (int i = 1; i < rows.length; i++) {
      if (rows[i].length != dim) {
        throw new IllegalArgumentException(
            name + " row " + i + " has length " + rows[i].length + ", expected " + dim);
      }
    }
    return dim;
  }
}
