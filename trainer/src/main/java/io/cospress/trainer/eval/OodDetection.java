package io.cospress.trainer.eval;

import java.util.Arrays;

/**
 * Out-of-distribution detection by nearest-neighbour cosine similarity.
 *
 * <p>An image's score is its maximum cosine similarity to the in-distribution bank; higher means
 * more in-distribution. Scores of in-distribution and OOD queries are then compared by AUROC and by
 * the false-positive rate at a fixed true-positive rate.
 */
public final class OodDetection {

  /** True-positive rate at which {@link OodReport#fpr95()} is measured. */
  public static final double TPR_95 = 0.95;

  // tpr * n can land a hair above an integer (0.95 is not exact in binary); without this slack
  // ceil would demand one in-distribution image more than intended.
  private static final double COUNT_SLACK = 1e-9;

  private OodDetection() {}

  /**
   * Scores in-distribution and OOD queries against a bank and summarises the separation.
   *
   * @param bank in-distribution (training) embeddings
   * @param inQueries held-out in-distribution embeddings
   * @param oodQueries embeddings of an OOD set
   * @throws IllegalArgumentException if any set is empty or dimensions disagree
   */
  public static OodReport evaluate(float[][] bank, float[][] inQueries, float[][] oodQueries) {
    float[][] normalizedBank = Embeddings.l2NormalizeRows(bank);
    double[] inScores = scoresAgainstNormalizedBank(normalizedBank, inQueries);
    double[] outScores = scoresAgainstNormalizedBank(normalizedBank, oodQueries);
    return new OodReport(auroc(inScores, outScores), fprAtTpr(inScores, outScores, TPR_95));
  }

  /**
   * Returns each query's maximum cosine similarity to any bank row (its 1-NN similarity).
   *
   * @throws IllegalArgumentException if the bank is empty or dimensions disagree
   */
  public static double[] maxSimilarityScores(float[][] bank, float[][] queries) {
    return scoresAgainstNormalizedBank(Embeddings.l2NormalizeRows(bank), queries);
  }

  private static double[] scoresAgainstNormalizedBank(float[][] normalizedBank, float[][] queries) {
    if (normalizedBank.length == 0) {
      throw new IllegalArgumentException("bank is empty");
    }
    double[] scores = new double[queries.length];
    Embeddings.forEachDotProductRow(
        Embeddings.l2NormalizeRows(queries),
        normalizedBank,
        (q, similarities) -> {
          float max = Float.NEGATIVE_INFINITY;
          for (float similarity : similarities) {
            max = Math.max(max, similarity);
          }
          scores[q] = max;
        });
    return scores;
  }

  /**
   * Area under the ROC curve with in-distribution as the positive class.
   *
   * <p>Equals the probability that a random in-distribution score exceeds a random OOD score,
   * counting ties as one half (the Mann-Whitney U statistic divided by the number of pairs).
   *
   * @throws IllegalArgumentException if either array is empty or contains NaN
   */
  public static double auroc(double[] inScores, double[] outScores) {
    requireComparableScores(inScores, outScores);
    double[] pooled = new double[inScores.length + outScores.length];
    System.arraycopy(inScores, 0, pooled, 0, inScores.length);
    System.arraycopy(outScores, 0, pooled, inScores.length, outScores.length);
    double[] ranks = AverageRanks.of(pooled);
    double inRankSum = 0;
    for (int i = 0; i < inScores.length; i++) {
      inRankSum += ranks[i];
    }
    double n = inScores.length;
    // Subtracting the smallest possible rank sum leaves the count of (in, out) pairs the
    // in-distribution score wins, with average ranks making each tie count one half.
    double wins = inRankSum - n * (n + 1) / 2;
    return wins / (n * outScores.length);
  }

  /**
   * False-positive rate at a given true-positive rate, for the rule "accept as in-distribution when
   * score ≥ threshold".
   *
   * <p>Precisely: let m = ⌈tpr · n⌉ for n in-distribution scores. The threshold is the m-th largest
   * in-distribution score, i.e. the largest threshold that still accepts at least m of them (ties
   * may make it accept more). The result is the fraction of OOD scores ≥ that threshold. Because no
   * interpolation between ROC points is done, this never understates the FPR.
   *
   * @param tpr required true-positive rate in (0, 1]; 0.95 gives FPR@95
   * @throws IllegalArgumentException if either array is empty or contains NaN, or tpr is outside
   *     (0, 1]
   */
  public static double fprAtTpr(double[] inScores, double[] outScores, double tpr) {
    requireComparableScores(inScores, outScores);
    if (!(tpr > 0 && tpr <= 1)) {
      throw new IllegalArgumentException("tpr must be in (0, 1]: " + tpr);
    }
    int n = inScores.length;
    int required = (int) Math.ceil(tpr * n - COUNT_SLACK);
    required = Math.max(1, Math.min(n, required));
    double[] ascending = inScores.clone();
    Arrays.sort(ascending);
    double threshold = ascending[n - required];
    int accepted = 0;
    for (double score : outScores) {
      if (score >= threshold) {
        accepted++;
      }
    }
    return (double) accepted / outScores.length;
  }

  private static void requireComparableScores(double[] inScores, double[] outScores) {
    if (inScores.length == 0 || outScores.length == 0) {
      throw new IllegalArgumentException(
          "need in-distribution and OOD scores, got "
              + inScores.length
              + " and "
              + outScores.length);
    }
    if (Arrays.stream(inScores).anyMatch(Double::isNaN)
        || Arrays.stream(outScores).anyMatch(Double::isNaN)) {
      throw new IllegalArgumentException("scores must not be NaN");
    }
  }
}
