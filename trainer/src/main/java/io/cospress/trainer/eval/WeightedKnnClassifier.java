package io.cospress.trainer.eval;

import java.util.Arrays;

/**
 * DINO-style weighted k-nearest-neighbour classifier over a bank of labelled embeddings.
 *
 * <p>Embeddings are L2-normalised, so similarity is cosine similarity. For each query the k most
 * similar bank rows vote for their label with weight {@code exp(similarity / temperature)}; the
 * class with the largest summed weight wins, ties going to the lower class index. Ties in
 * similarity at the k-th place are broken in favour of the lower bank index.
 */
public final class WeightedKnnClassifier {

  private final float[][] normalizedBank;
  private final int[] bankLabels;
  private final int numClasses;
  private final int k;
  private final double temperature;

  /**
   * Creates a classifier over a memory bank.
   *
   * <p>The bank is copied (normalised), so the caller may reuse or drop its arrays.
   *
   * @param bankEmbeddings bank rows, one per image, all of the same dimension
   * @param bankLabels class index of each bank row, in {@code [0, numClasses)}
   * @param numClasses number of classes
   * @param k neighbours that vote; clipped to the bank size
   * @param temperature softness of the vote weights; must be positive
   * @throws IllegalArgumentException if the bank is empty, sizes disagree, a label is out of range,
   *     an embedding is not finite, or k or temperature is not positive
   */
  public WeightedKnnClassifier(
      float[][] bankEmbeddings, int[] bankLabels, int numClasses, int k, double temperature) {
    if (bankEmbeddings.length == 0) {
      throw new IllegalArgumentException("bank is empty");
    }
    if (bankEmbeddings.length != bankLabels.length) {
      throw new IllegalArgumentException(
          bankEmbeddings.length + " bank embeddings but " + bankLabels.length + " labels");
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be positive: " + numClasses);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive and finite: " + temperature);
    }
    for (int i = 0; i < bankLabels.length; i++) {
      if (bankLabels[i] < 0 || bankLabels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "bank label " + bankLabels[i] + " at row " + i + " outside [0, " + numClasses + ")");
      }
    }
    this.normalizedBank = Embeddings.l2NormalizeRows(bankEmbeddings);
    this.bankLabels = bankLabels.clone();
    this.numClasses = numClasses;
    this.k = Math.min(k, bankEmbeddings.length);
    this.temperature = temperature;
  }

  /**
   * Predicts a class for each query row.
   *
   * @param queries query embeddings of the bank's dimension (normalisation is done here)
   * @return predicted class index per query
   */
  public int[] predict(float[][] queries) {
    float[][] normalizedQueries = Embeddings.l2NormalizeRows(queries);
    int[] predictions = new int[queries.length];
    // One selector and vote buffer per worker thread, not per query, keeps allocation flat.
    ThreadLocal<TopKSelector> selectors = ThreadLocal.withInitial(() -> new TopKSelector(k));
    ThreadLocal<double[]> votes = ThreadLocal.withInitial(() -> new double[numClasses]);
    Embeddings.forEachDotProductRow(
        normalizedQueries,
        normalizedBank,
        (q, similarities) -> predictions[q] = vote(similarities, selectors.get(), votes.get()));
    return predictions;
  }

  private int vote(float[] similarities, TopKSelector neighbours, double[] classWeights) {
    neighbours.clear();
    for (int b = 0; b < similarities.length; b++) {
      neighbours.offer(b, similarities[b]);
    }
    // Shifting every exponent by the best similarity scales all weights by the same factor, so
    // the winner is unchanged, but exp cannot overflow even for tiny temperatures.
    float best = Float.NEGATIVE_INFINITY;
    for (int slot = 0; slot < neighbours.size(); slot++) {
      best = Math.max(best, neighbours.scoreAt(slot));
    }
    Arrays.fill(classWeights, 0.0);
    for (int slot = 0; slot < neighbours.size(); slot++) {
      double weight = Math.exp((neighbours.scoreAt(slot) - (double) best) / temperature);
      classWeights[bankLabels[neighbours.indexAt(slot)]] += weight;
    }
    int winner = 0;
    for (int c = 1; c < numClasses; c++) {
      if (classWeights[c] > classWeights[winner]) {
        winner = c;
      }
    }
    return winner;
  }

  /**
   * Fraction of predictions equal to their label (top-1 accuracy).
   *
   * @throws IllegalArgumentException if the arrays are empty or differ in length
   */
  public static double accuracy(int[] predictions, int[] labels) {
    return fractionEqual(predictions, labels);
  }

  /**
   * Fraction of positions where two prediction arrays agree, e.g. a student's and its teacher's.
   *
   * @throws IllegalArgumentException if the arrays are empty or differ in length
   */
  public static double agreement(int[] a, int[] b) {
    return fractionEqual(a, b);
  }

  private static double fractionEqual(int[] a, int[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    if (a.length == 0) {
      // An empty split has no defined accuracy; 0 or NaN would both be misreported as a result.
      throw new IllegalArgumentException("no predictions to compare");
    }
    int equal = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i]) {
        equal++;
      }
    }
    return (double) equal / a.length;
  }
}
