package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SubsetTest {

  /** 1000 labelled blank images: classes 0, 1, 2 in proportions 60%, 30%, 10%. */
  private static final ImageSource SKEWED =
      new LabelsOnlySource(
          java.util.stream.IntStream.range(0, 1000)
              .map(i -> i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2)
              .toArray(),
          3);

  @Test
  void keepsExactlyTheLimitWithEachClassInProportion() {
    Subset subset = (Subset) Subset.stratified(SKEWED, 100, 7);

    assertThat(subset.size()).isEqualTo(100);
    assertThat(classCounts(subset)).containsExactly(60, 30, 10);
  }

  @Test
  void roundsSharesSoTheyAddUpToTheLimit() {
    // 1000 images at 60/30/10% and a limit of 7: exact shares 4.2, 2.1, 0.7.
    Subset subset = (Subset) Subset.stratified(SKEWED, 7, 7);

    assertThat(classCounts(subset)).containsExactly(4, 2, 1);
  }

  @Test
  void sameSeedGivesTheSameSubsetAndAnotherSeedAnother() {
    int[] a = sourceIndices((Subset) Subset.stratified(SKEWED, 50, 1));
    int[] b = sourceIndices((Subset) Subset.stratified(SKEWED, 50, 1));
    int[] c = sourceIndices((Subset) Subset.stratified(SKEWED, 50, 2));

    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void keepsDistinctImagesInSourceOrderWithTheirOwnLabels() {
    Subset subset = (Subset) Subset.stratified(SKEWED, 300, 3);

    int[] indices = sourceIndices(subset);
    assertThat(indices).isSorted().doesNotHaveDuplicates();
    for (int i = 0; i < subset.size(); i++) {
      assertThat(subset.label(i)).isEqualTo(SKEWED.label(subset.sourceIndex(i)));
    }
    assertThat(subset.numClasses()).isEqualTo(3);
    assertThat(subset.describe()).contains("stratified subset of 300");
  }

  @Test
  void limitAtLeastTheSourceSizeReturnsTheSourceItself() {
    assertThat(Subset.stratified(SKEWED, 1000, 1)).isSameAs(SKEWED);
    assertThat(Subset.stratified(SKEWED, 5000, 1)).isSameAs(SKEWED);
  }

  @Test
  void rejectsNonPositiveLimit() {
    assertThatThrownBy(() -> Subset.stratified(SKEWED, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stratifiedSubsetOfFashionMnistKeepsClassesBalanced() {
    Subset subset = (Subset) Subset.stratified(Fixtures.fashionMnistTrain(), 1000, 42);

    assertThat(classCounts(subset)).containsOnly(100);
  }

  private static int[] classCounts(ImageSource source) {
    int[] counts = new int[source.numClasses()];
    for (int i = 0; i < source.size(); i++) {
      counts[source.label(i)]++;
    }
    return counts;
  }

  private static int[] sourceIndices(Subset subset) {
    int[] indices = new int[subset.size()];
    Arrays.setAll(indices, subset::sourceIndex);
    return indices;
  }
}
