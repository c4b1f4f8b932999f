package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageTransformTest {

  private static final double[] ZERO = {0};
  private static final double[] ONE = {1};

  @Test
  void evaluationAtTheImageSizeGivesTheNormalisedPixels() {
    DecodedImage image = Fixtures.planar(2, 2, 1, 0, 51, 102, 255);
    TransformConfig config =
        TransformConfig.evaluation(2, 1, new double[] {0.5}, new double[] {0.25});

    float[] out = new ImageTransform(config).apply(image, null);

    // (v / 255 - 0.5) / 0.25 for v = 0, 51, 102, 255.
    assertThat(out).containsExactly(new float[] {-2f, -1.2f, -0.4f, 2f}, within(1e-6f));
  }

  @Test
  void upscalingIsBilinearWithHalfPixelCentres() {
    DecodedImage image = Fixtures.planar(2, 2, 1, 0, 200, 100, 40);
    TransformConfig config = TransformConfig.evaluation(4, 1, ZERO, ONE);

    float[] out = new ImageTransform(config).apply(image, null);

    // Per axis the weights of the two source pixels are (1,0), (3/4,1/4), (1/4,3/4), (0,1).
    float[] expected = {
      0, 50, 150, 200, 25, 58.75f, 126.25f, 160, 75, 76.25f, 78.75f, 80, 100, 85, 55, 40
    };
    for (int i = 0; i < expected.length; i++) {
      expected[i] /= 255f;
    }
    assertThat(out).containsExactly(expected, within(1e-6f));
  }

  @Test
  void downscalingAveragesEverySourcePixelInsteadOfSkippingSome() {
    int[] stripes = new int[16];
    for (int i = 0; i < 16; i++) {
      stripes[i] = (i % 4) % 2 == 0 ? 0 : 255;
    }
    DecodedImage image = Fixtures.planar(4, 4, 1, stripes);
    TransformConfig config = TransformConfig.evaluation(2, 1, ZERO, ONE);

    float[] out = new ImageTransform(config).apply(image, null);

    // Triangle of radius 2 centred at source x = 1 (resp. 3): weights 3/4, 3/4, 1/4 over columns
    // 0..2 (resp. 1/4, 3/4, 3/4 over 1..3), normalised by 7/4.
    float left = 0.75f / 1.75f;
    float right = 1f / 1.75f;
    assertThat(out).containsExactly(new float[] {left, right, left, right}, within(1e-6f));
  }

  @Test
  void grayscaleIsReplicatedToThreeChannelsEachWithItsOwnNormalisation() {
    DecodedImage image = Fixtures.planar(1, 1, 1, 51);
    TransformConfig config =
        TransformConfig.evaluation(1, 3, new double[] {0, 0.1, 0.2}, new double[] {1, 0.5, 0.25});

    float[] out = new ImageTransform(config).apply(image, null);

    assertThat(out).containsExactly(new float[] {0.2f, 0.2f, 0f}, within(1e-6f));
  }

  @Test
  void rgbIsReducedToBt601Luma() {
    // Two identical rows of a red pixel and an rgb(10, 20, 30) pixel.
    DecodedImage image = Fixtures.planar(2, 2, 3, 255, 10, 255, 10, 0, 20, 0, 20, 0, 30, 0, 30);
    TransformConfig config = TransformConfig.evaluation(2, 1, ZERO, ONE);

    float[] out = new ImageTransform(config).apply(image, null);

    float second = (0.299f * 10 + 0.587f * 20 + 0.114f * 30) / 255f;
    assertThat(out).containsExactly(new float[] {0.299f, second, 0.299f, second}, within(1e-6f));
  }

  @Test
  void outputAlwaysHasChannelsTimesSizeSquaredValues() {
    DecodedImage gray = Fixtures.planar(5, 3, 1, new int[15]);
    DecodedImage rgb = Fixtures.planar(3, 7, 3, new int[63]);
    for (DecodedImage image : new DecodedImage[] {gray, rgb}) {
      for (int channels : new int[] {1, 3}) {
        for (boolean augment : new boolean[] {false, true}) {
          double[] half = channels == 1 ? new double[] {0.5} : new double[] {0.5, 0.5, 0.5};
          TransformConfig config =
              new TransformConfig(6, channels, half, half, augment, 0.3, true, 0.4);

          float[] out = new ImageTransform(config).apply(image, new SplittableRandom(1));

          assertThat(out).hasSize(channels * 36);
        }
      }
    }
  }

  @Test
  void flipMirrorsTheImageAndHappensForAboutHalfTheSeeds() {
    assertFlipMirrors(5, 0f);
  }

  @Test
  void flipMirrorsTheResizedImageToo() {
    assertFlipMirrors(8, 1e-6f);
  }

  private static void assertFlipMirrors(int size, float tolerance) {
    DecodedImage image = randomImage(5, 5, 3, 99);
    double[] half = {0.5, 0.5, 0.5};
    float[] plain =
        new ImageTransform(TransformConfig.evaluation(size, 3, half, half)).apply(image, null);
    float[] mirrored = mirror(plain, 3, size);
    ImageTransform flipOnly =
        new ImageTransform(TransformConfig.training(size, 3, half, half, 1.0, true, 0.0));

    int flipped = 0;
    for (int seed = 0; seed < 64; seed++) {
      float[] out = flipOnly.apply(image, new SplittableRandom(seed));
      if (maxDifference(out, mirrored) <= tolerance) {
        flipped++;
      } else {
        assertThat(out).as("seed %d", seed).containsExactly(plain, within(tolerance));
      }
    }
    assertThat(flipped).isBetween(16, 48);
  }

  @Test
  void sameRandomStateGivesTheSameAugmentationAndAnotherStateAnother() {
    DecodedImage image = randomImage(20, 16, 3, 5);
    double[] half = {0.5, 0.5, 0.5};
    ImageTransform transform =
        new ImageTransform(TransformConfig.training(12, 3, half, half, 0.3, true, 0.4));

    float[] a = transform.apply(image, new SplittableRandom(11));
    float[] b = transform.apply(image, new SplittableRandom(11));
    float[] c = transform.apply(image, new SplittableRandom(12));

    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void augmentedValuesStayWithinTheNormalisedPixelRange() {
    DecodedImage image = randomImage(9, 13, 3, 3);
    double[] mean = {0.4, 0.5, 0.6};
    double[] std = {0.2, 0.25, 0.5};
    ImageTransform transform =
        new ImageTransform(TransformConfig.training(10, 3, mean, std, 0.1, true, 1.0));

    for (int seed = 0; seed < 50; seed++) {
      float[] out = transform.apply(image, new SplittableRandom(seed));
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 100; i++) {
          assertThat(out[c * 100 + i])
              .isBetween(
                  (float) ((0 - mean[c]) / std[c]) - 1e-5f,
                  (float) ((1 - mean[c]) / std[c]) + 1e-5f);
        }
      }
    }
  }

  @Test
  void colourJitterChangesTheImageWhileCropAndFlipAreOff() {
    DecodedImage image = randomImage(6, 6, 3, 8);
    double[] half = {0.5, 0.5, 0.5};
    float[] plain =
        new ImageTransform(TransformConfig.evaluation(6, 3, half, half)).apply(image, null);
    ImageTransform jitterOnly =
        new ImageTransform(TransformConfig.training(6, 3, half, half, 1.0, false, 0.5));

    float[] out = jitterOnly.apply(image, new SplittableRandom(4));

    assertThat(maxDifference(out, plain)).isGreaterThan(0.01f);
  }

  @Test
  void evaluationIgnoresAugmentationSettingsAndNeedsNoRandomness() {
    DecodedImage image = randomImage(7, 7, 1, 2);
    TransformConfig training = TransformConfig.training(5, 1, ZERO, ONE, 0.2, true, 0.5);
    ImageTransform evaluation = new ImageTransform(training.withoutAugmentation());

    assertThat(evaluation.apply(image, null))
        .containsExactly(
            new ImageTransform(TransformConfig.evaluation(5, 1, ZERO, ONE)).apply(image, null));
  }

  @Test
  void writesIntoTheGivenSliceOnly() {
    DecodedImage image = Fixtures.planar(1, 1, 1, 255);
    float[] batch = new float[5];
    java.util.Arrays.fill(batch, -7f);

    new ImageTransform(TransformConfig.evaluation(1, 3, new double[3], new double[] {1, 1, 1}))
        .apply(image, null, batch, 1);

    assertThat(batch).containsExactly(-7f, 1f, 1f, 1f, -7f);
  }

  static DecodedImage randomImage(int w, int h, int channels, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] samples = new int[w * h * channels];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = random.nextInt(256);
    }
    return Fixtures.planar(w, h, channels, samples);
  }

  private static float[] mirror(float[] planes, int channels, int size) {
    float[] out = new float[planes.length];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          out[(c * size + y) * size + x] = planes[(c * size + y) * size + size - 1 - x];
        }
      }
    }
    return out;
  }

  private static float maxDifference(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
