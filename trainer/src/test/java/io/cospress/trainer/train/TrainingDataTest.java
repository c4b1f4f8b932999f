package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.data.TransformConfig;
import io.cospress.trainer.manifest.ManifestLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The transform a manifest gives its training images, defaults included. */
class TrainingDataTest {

  private static final String MANIFEST =
      """
      apiVersion: cospress.io/v1alpha1
      kind: DistillationRun
      metadata: {name: t}
      spec:
        teacher: {model: t.pt}
        student: {model: s.pt}
        dataset:
          format: idx
          imageSize: 28
          channels: 1
          train: {path: a.gz, labels: b.gz}
      """;

  private static TransformConfig transformOf(String yaml) {
    return TrainingData.transform(ManifestLoader.parse(yaml, Path.of("/b")).config().dataset());
  }

  @Test
  void withoutAnAugmentationBlockTrainingImagesAreAugmentedWithTheDocumentedDefaults() {
    TransformConfig transform = transformOf(MANIFEST);
    assertThat(transform.augment()).isTrue();
    assertThat(transform.cropScaleMin()).isEqualTo(0.5);
    assertThat(transform.horizontalFlip()).isTrue();
    assertThat(transform.colorJitter()).isEqualTo(0.2);
  }

  @Test
  void anEmptyAugmentationBlockAlsoMeansTheDefaults() {
    assertThat(
            transformOf(MANIFEST.replace("channels: 1", "channels: 1\n    augmentation:"))
                .augment())
        .isTrue();
  }

  @Test
  void augmentationOffOnlyWhenTheManifestSaysSo() {
    assertThat(
            transformOf(
                    MANIFEST.replace(
                        "channels: 1", "channels: 1\n    augmentation: {enabled: false}"))
                .augment())
        .isFalse();
  }

  @Test
  void unsetNormalisationIsHalfAndHalfForOneChannelAndImageNetForThree() {
    assertThat(transformOf(MANIFEST).mean()).containsExactly(0.5);
    assertThat(transformOf(MANIFEST).std()).containsExactly(0.5);
    TransformConfig rgb = transformOf(MANIFEST.replace("channels: 1", "channels: 3"));
    assertThat(rgb.mean()).containsExactly(0.485, 0.456, 0.406);
    assertThat(rgb.std()).containsExactly(0.229, 0.224, 0.225);
  }
}
