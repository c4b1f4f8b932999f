package io.cospress.trainer.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * How images become model input: target size and channels, normalisation, and the training-time
 * augmentations (ignored unless {@code augment}).
 *
 * <p>Immutable: the arrays are copied in and out.
 *
 * @param imageSize side length S of the square output
 * @param channels output channels C, 1 or 3 (grayscale inputs are replicated, RGB inputs reduced to
 *     luminance)
 * @param mean per-output-channel mean subtracted from [0,1] values
 * @param std per-output-channel standard deviation divided out after the mean
 * @param augment whether to apply the augmentations below
 * @param cropScaleMin smallest random-resized-crop area as a fraction of the image; 1 disables
 *     cropping
 * @param horizontalFlip flip with probability 0.5
 * @param colorJitter strength s: brightness, contrast and saturation factors uniform in [1-s, 1+s]
 */
public record TransformConfig(
    int imageSize,
    int channels,
    double[] mean,
    double[] std,
    boolean augment,
    double cropScaleMin,
    boolean horizontalFlip,
    double colorJitter) {

  /** Validates and defensively copies. */
  public TransformConfig {
    if (imageSize <= 0) {
      throw new IllegalArgumentException("imageSize must be > 0, got " + imageSize);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    mean = checkPerChannel("mean", mean, channels).clone();
    std = checkPerChannel("std", std, channels).clone();
    for (double s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
      }
    }
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException("cropScaleMin must be in (0, 1], got " + cropScaleMin);
    }
    if (!(colorJitter >= 0 && colorJitter <= 1)) {
      throw new IllegalArgumentException("colorJitter must be in [0, 1], got " + colorJitter);
    }
  }

  /** A configuration without augmentation (evaluation, embedding extraction). */
  public static TransformConfig evaluation(
      int imageSize, int channels, double[] mean, double[] std) {
    return new TransformConfig(imageSize, channels, mean, std, false, 1.0, false, 0.0);
  }

  /** A training configuration with the given augmentations. */
  public static TransformConfig training(
      int imageSize,
      int channels,
      double[] mean,
      double[] std,
      double cropScaleMin,
      boolean horizontalFlip,
      double colorJitter) {
    return new TransformConfig(
        imageSize, channels, mean, std, true, cropScaleMin, horizontalFlip, colorJitter);
  }

  /** The same size, channels and normalisation, without augmentation. */
  public TransformConfig withoutAugmentation() {
    return augment ? evaluation(imageSize, channels, mean, std) : this;
  }

  /** Floats per transformed image: {@code channels * imageSize * imageSize}. */
  public int valuesPerImage() {
    return channels * imageSize * imageSize;
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransformConfig other
        && imageSize == other.imageSize
        && channels == other.channels
        && Arrays.equals(mean, other.mean)
        && Arrays.equals(std, other.std)
        && augment == other.augment
        && Double.compare(cropScaleMin, other.cropScaleMin) == 0
        && horizontalFlip == other.horizontalFlip
        && Double.compare(colorJitter, other.colorJitter) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(imageSize, channels, augment, cropScaleMin, horizontalFlip, colorJitter)
            * 31
        + Arrays.hashCode(mean) * 17
        + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return String.format(
        "TransformConfig[imageSize=%d, channels=%d, mean=%s, std=%s, augment=%b,"
            + " cropScaleMin=%s, horizontalFlip=%b, colorJitter=%s]",
        imageSize,
        channels,
        Arrays.toString(mean),
        Arrays.toString(std),
        augment,
        cropScaleMin,
        horizontalFlip,
        colorJitter);
  }

  private static double[] checkPerChannel(String name, double[] values, int channels) {
    Objects.requireNonNull(values, name);
    if (values.length != channels) {
      throw new IllegalArgumentException(
          name + " needs one value per channel (" + channels + "), got " + values.length);
    }
    return values;
  }
}
