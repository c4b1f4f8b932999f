package io.cospress.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKSelectorTest {

  @Test
  void keepsTheIndicesOfTheHighestScores() {
    TopKSelector selector = new TopKSelector(3);
    float[] scores = {0.1f, 0.9f, 0.5f, 0.7f, 0.3f};

    offerAll(selector, scores, IntStream.range(0, scores.length));

    assertThat(keptIndices(selector)).containsExactlyInAnyOrder(1, 3, 2);
  }

  @Test
  void prefersLowerIndicesWhenScoresTieAtTheCutOffWhateverTheArrivalOrder() {
    float[] scores = {0.5f, 0.5f, 0.5f, 0.9f};
    TopKSelector forward = new TopKSelector(2);
    TopKSelector backward = new TopKSelector(2);

    offerAll(forward, scores, IntStream.of(0, 1, 2, 3));
    offerAll(backward, scores, IntStream.of(3, 2, 1, 0));

    assertThat(keptIndices(forward)).containsExactlyInAnyOrder(3, 0);
    assertThat(keptIndices(backward)).containsExactlyInAnyOrder(3, 0);
  }

  @Test
  void clearForgetsEarlierItems() {
    TopKSelector selector = new TopKSelector(2);
    selector.offer(0, 5f);
    selector.offer(1, 4f);

    selector.clear();
    selector.offer(7, -1f);

    assertThat(keptIndices(selector)).containsExactly(7);
  }

  @Test
  void selectsTheSameItemsAsAFullSortOnRandomScoresWithTies() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(60);
      int k = 1 + random.nextInt(n + 5);
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        // Few distinct values so ties at the cut-off are common.
        scores[i] = random.nextInt(6) / 5f;
      }
      TopKSelector selector = new TopKSelector(k);
      offerAll(selector, scores, IntStream.range(0, n));

      List<Integer> expected =
          IntStream.range(0, n)
              .boxed()
              .sorted(
                  Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
              .limit(k)
              .collect(Collectors.toList());
      assertThat(keptIndices(selector)).as("trial %d", trial).hasSameElementsAs(expected);
      assertThat(selector.size()).isEqualTo(Math.min(k, n));
    }
  }

  private static void offerAll(TopKSelector selector, float[] scores, IntStream order) {
    order.forEach(i -> selector.offer(i, scores[i]));
  }

  private static List<Integer> keptIndices(TopKSelector selector) {
    List<Integer> indices = new ArrayList<>();
    for (int slot = 0; slot < selector.size(); slot++) {
      indices.add(selector.indexAt(slot));
    }
    return indices;
  }
}
