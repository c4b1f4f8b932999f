package io.cospress.trainer.eval;

/**
 * How well a student reproduces its teacher's pairwise cosine similarities.
 *
 * @param meanAbsoluteError mean |teacher − student| similarity over pairs i &lt; j; 0 is perfect
 * @param spearman Spearman rank correlation of the same pairs; 1 means the student orders all pairs
 *     as the teacher does. NaN when either side gives every pair the same similarity (for instance
 *     with only two images), since a correlation is then undefined
 */
public record SimilarityPreservationReport(double meanAbsoluteError, double spearman) {}
