package io.cospress.trainer.data;

import java.util.Objects;

/**
 * One decoded 8-bit image in planar (channel, row, column) order.
 *
 * <p>The samples are kept as the unsigned bytes the files hold rather than floats: IDX images are
 * then views into the dataset's single in-memory array (no copy per image), and decoded files take
 * a quarter of the memory. {@link #value} gives the [0,1] float the transforms work with.
 *
 * <p>The backing array is shared, not copied; callers must not modify it.
 */
public final class DecodedImage {

  private final int width;
  private final int height;
  private final int channels;
  private final byte[] samples;
  private final int offset;

  private DecodedImage(int width, int height, int channels, byte[] samples, int offset) {
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.samples = samples;
    this.offset = offset;
  }

  /**
   * Wraps {@code channels * height * width} planar samples starting at {@code offset} of {@code
   * samples}, without copying them.
   *
   * @throws IllegalArgumentException if the dimensions are not positive, channels is not 1 or 3, or
   *     the array is too short
   */
  public static DecodedImage planar(
      int width, int height, int channels, byte[] samples, int offset) {
    Objects.requireNonNull(samples, "samples");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    long needed = (long) channels * height * width;
    if (offset < 0 || offset + needed > samples.length) {
      throw new IllegalArgumentException(
          "need " + needed + " samples from offset " + offset + ", array has " + samples.length);
    }
    return new DecodedImage(width, height, channels, samples, offset);
  }

  /** Width in pixels. */
  public int width() {
    return width;
  }

  /** Height in pixels. */
  public int height() {
    return height;
  }

  /** 1 (grayscale) or 3 (RGB). */
  public int channels() {
    return channels;
  }

  /** The unsigned 8-bit sample (0..255) of channel {@code c} at row {@code y}, column {@code x}. */
  public int sample(int c, int y, int x) {
    return samples[offset + (c * height + y) * width + x] & 0xFF;
  }

  /** The sample of channel {@code c} at row {@code y}, column {@code x} scaled to [0,1]. */
  public float value(int c, int y, int x) {
    return sample(c, y, x) / 255f;
  }

  /** All samples as [0,1] floats in planar order; allocates, meant for tests and tools. */
  public float[] toFloats() {
    float[] out = new float[channels * height * width];
    for (int i = 0; i < out.length; i++) {
      out[i] = (samples[offset + i] & 0xFF) / 255f;
    }
    return out;
  }

  // Package-private raw access for the resampler's inner loop, which must not pay for a
  // bounds-checked method call per tap.
  byte[] backingArray() {
    return samples;
  }

  int backingOffset() {
    return offset;
  }
}
