package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OodDetectionTest {

  @Test
  void aurocCountsPairwiseWinsWithTiesAsHalf() {
    // 0.9 and 0.8 beat all three OOD scores (6 wins); 0.4 beats 0.1, ties 0.4, loses to 0.7
    // (1.5 wins). 7.5 of 9 pairs.
    double auroc = OodDetection.auroc(new double[] {0.9, 0.8, 0.4}, new double[] {0.7, 0.4, 0.1});

    assertThat(auroc).isCloseTo(7.5 / 9, within(1e-12));
  }

  @Test
  void aurocIsOneForPerfectSeparationAndZeroWhenReversed() {
    double[] high = {0.9, 0.95, 0.8};
    double[] low = {0.1, 0.3};

    assertThat(OodDetection.auroc(high, low)).isEqualTo(1.0);
    assertThat(OodDetection.auroc(low, high)).isEqualTo(0.0);
  }

  @Test
  void aurocIsOneHalfForIdenticalDistributionsWithTies() {
    // Of the 9 pairs, 3 are wins, 3 losses and 3 ties: (3 + 1.5) / 9.
    assertThat(OodDetection.auroc(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isEqualTo(0.5);
    assertThat(OodDetection.auroc(new double[] {0.5, 0.5}, new double[] {0.5})).isEqualTo(0.5);
  }

  @Test
  void aurocEqualsBruteForcePairCountingOnRandomScores() {
    Random random = new Random(11);
    for (int trial = 0; trial < 50; trial++) {
      double[] in = random.doubles(1 + random.nextInt(40)).map(v -> Math.round(v * 10)).toArray();
      double[] out = random.doubles(1 + random.nextInt(40)).map(v -> Math.round(v * 8)).toArray();
      double wins = 0;
      for (double i : in) {
        for (double o : out) {
          wins += i > o ? 1 : i == o ? 0.5 : 0;
        }
      }

      assertThat(OodDetection.auroc(in, out))
          .as("trial %d", trial)
          .isCloseTo(wins / (in.length * out.length), within(1e-12));
    }
  }

  @Test
  void fprAt95CountsOodScoresAtOrAboveTheThresholdKeeping95PercentOfInScores() {
    // 19 of the 20 in-scores 1..20 must stay accepted, so the threshold is 2. OOD scores 2, 3 and
    // 10 are at or above it: 3 of 5.
    double[] in = IntStream.rangeClosed(1, 20).asDoubleStream().toArray();

    double fpr = OodDetection.fprAtTpr(in, new double[] {0, 1, 2, 3, 10}, 0.95);

    assertThat(fpr).isEqualTo(0.6);
  }

  @Test
  void fprAtFullTprUsesTheLowestInScoreAsThreshold() {
    assertThat(OodDetection.fprAtTpr(new double[] {4, 2, 3, 1}, new double[] {1, 0.5}, 1.0))
        .isEqualTo(0.5);
  }

  @Test
  void fprAtTprThresholdIsTheRequiredInScoreEvenWhenTiesAcceptMore() {
    // Half of {5, 3, 3, 1} means the 2nd largest, 3, which accepts three in-scores. OOD scores 3
    // and 4 are accepted, 2.9 is not.
    double fpr = OodDetection.fprAtTpr(new double[] {5, 3, 3, 1}, new double[] {3, 2.9, 4}, 0.5);

    assertThat(fpr).isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void fprAtTprIsNotThrownOffByBinaryRoundingOfTheRate() {
    // 0.07 * 100 evaluates to 7.000000000000001; the rule needs 7 in-scores, not 8, so the
    // threshold is 94 (7th largest of 1..100) and OOD score 93 stays rejected.
    double[] in = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();

    double fpr = OodDetection.fprAtTpr(in, new double[] {93, 94, 95}, 0.07);

    assertThat(fpr).isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void fprAtTprRejectsRatesOutsideTheUnitInterval() {
    double[] scores = {1, 2};
    for (double tpr : new double[] {0, -0.1, 1.01, Double.NaN}) {
      assertThatThrownBy(() -> OodDetection.fprAtTpr(scores, scores, tpr))
          .as("tpr %s", tpr)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void scoresRejectEmptySetsAndNaN() {
    assertThatThrownBy(() -> OodDetection.auroc(new double[0], new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OodDetection.auroc(new double[] {1}, new double[] {Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OodDetection.fprAtTpr(new double[] {1}, new double[0], 0.95))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scoreIsTheCosineSimilarityToTheNearestBankRow() {
    float[][] bank = {{1, 0}, {0, 2}};
    float[][] queries = {{1, 1}, {3, 0}, {-1, 0}, {-1, -1}};

    double[] scores = OodDetection.maxSimilarityScores(bank, queries);

    assertThat(scores)
        .containsExactly(new double[] {Math.sqrt(0.5), 1, 0, -Math.sqrt(0.5)}, within(1e-6));
  }

  @Test
  void evaluateReportsAurocAndFpr95OfNearestNeighbourScores() {
    float[][] bank = {{1, 0}, {0, 1}};
    // In-scores: 1, 1 and 1 / sqrt(1.01) ≈ 0.995.
    float[][] in = {{2, 0}, {0, 5}, {1, 0.1f}};
    // OOD scores: -sqrt(0.5) and 1 (an exact copy of a bank direction).
    float[][] ood = {{-1, -1}, {1, 0}};

    OodReport report = OodDetection.evaluate(bank, in, ood);

    // Pairs: each in-score of 1 beats -0.707 and ties 1 (1.5 each); 0.995 beats only -0.707.
    // (1.5 + 1.5 + 1) / 6.
    assertThat(report.auroc()).isCloseTo(4.0 / 6, within(1e-12));
    // 95% of 3 rounds up to all 3, so the threshold is 0.995 and only the OOD 1 passes it.
    assertThat(report.fpr95()).isEqualTo(0.5);
  }

  @Test
  void maxSimilarityScoresRejectAnEmptyBank() {
    assertThatThrownBy(() -> OodDetection.maxSimilarityScores(new float[0][], new float[][] {{1}}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
