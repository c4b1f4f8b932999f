package io.cospress.trainer.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Turns a {@link DecodedImage} into exactly {@code C × S × S} normalised floats (planar) for the
 * models, following a {@link TransformConfig}.
 *
 * <p>Steps: (training only) random resized crop, horizontal flip, colour jitter; resize to S×S with
 * a triangle filter (see {@link ResizeKernel}); channel conversion (gray replicated to RGB, RGB
 * reduced to BT.601 luma); {@code (v - mean[c]) / std[c]}. Evaluation mode is the resize,
 * conversion and normalisation alone.
 *
 * <p>All randomness comes from the generator passed in, drawn in a fixed order, so the caller
 * controls reproducibility. Instances are thread-safe; scratch buffers are per thread.
 */
public final class ImageTransform {

  private final TransformConfig config;
  private final int size;
  private final float[] mean;
  private final float[] std;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /** Creates a transform for {@code config}. */
  public ImageTransform(TransformConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.size = config.imageSize();
    this.mean = toFloats(config.mean());
    this.std = toFloats(config.std());
  }

  /** The configuration this transform follows. */
  public TransformConfig config() {
    return config;
  }

  /**
   * Transforms {@code image} into a new array of {@link TransformConfig#valuesPerImage()} floats.
   *
   * @param random source of augmentation randomness; may be null when the config does not augment
   */
  public float[] apply(DecodedImage image, SplittableRandom random) {
    float[] out = new float[config.valuesPerImage()];
    apply(image, random, out, 0);
    return out;
  }

  /**
   * Transforms {@code image} into {@code out[offset, offset + C*S*S)}, so a batch can be filled in
   * place without a copy per image.
   *
   * @param random source of augmentation randomness; may be null when the config does not augment
   */
  public void apply(DecodedImage image, SplittableRandom random, float[] out, int offset) {
    Objects.requireNonNull(image, "image");
    Objects.checkFromIndexSize(offset, config.valuesPerImage(), out.length);
    CropBox box = CropBox.whole(image.width(), image.height());
    boolean flip = false;
    float brightness = 1f;
    float contrast = 1f;
    float saturation = 1f;
    if (config.augment()) {
      Objects.requireNonNull(random, "random is required when the config augments");
      if (config.cropScaleMin() < 1.0) {
        box = CropBox.randomResized(image.width(), image.height(), config.cropScaleMin(), random);
      }
      if (config.horizontalFlip()) {
        flip = random.nextBoolean();
      }
      if (config.colorJitter() > 0) {
        brightness = jitterFactor(random);
        contrast = jitterFactor(random);
        saturation = jitterFactor(random);
      }
    }
    int sourceChannels = image.channels();
    int plane = size * size;
    Scratch buffers = scratch.get();
    float[] resized = buffers.resized(sourceChannels * plane);
    resize(image, box, flip, resized, buffers);
    if (brightness != 1f || contrast != 1f || saturation != 1f) {
      ColorJitter.apply(resized, sourceChannels, plane, brightness, contrast, saturation);
    }
    convertAndNormalise(resized, sourceChannels, out, offset);
  }

  private float jitterFactor(SplittableRandom random) {
    double s = config.colorJitter();
    return (float) random.nextDouble(1 - s, Math.nextUp(1 + s));
  }

  // Writes [0,1] values of the crop resized to S×S, one plane per source channel.
  private void resize(
      DecodedImage image, CropBox box, boolean flip, float[] resized, Scratch buffers) {
    byte[] src = image.backingArray();
    int base = image.backingOffset();
    int w = image.width();
    int h = image.height();
    int channels = image.channels();
    if (box.width() == size && box.height() == size) {
      copyCrop(src, base, w, h, channels, box, flip, resized);
      return;
    }
    ResizeKernel horizontal = ResizeKernel.of(box.x(), box.width(), size);
    ResizeKernel vertical = ResizeKernel.of(box.y(), box.height(), size);
    int rows = box.height();
    float[] wide = buffers.wide(channels * rows * size);
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < rows; r++) {
        int srcRow = base + (c * h + box.y() + r) * w;
        int dstRow = (c * rows + r) * size;
        for (int x = 0; x < size; x++) {
          int from = srcRow + horizontal.first[x];
          int wk = x * horizontal.maxTaps;
          float acc = 0f;
          for (int k = 0; k < horizontal.taps[x]; k++) {
            acc += horizontal.weights[wk + k] * (src[from + k] & 0xFF);
          }
          wide[dstRow + (flip ? size - 1 - x : x)] = acc;
        }
      }
    }
    float inv255 = 1f / 255f;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < size; y++) {
        int dst = (c * size + y) * size;
        int wk = y * vertical.maxTaps;
        int firstRow = vertical.first[y] - box.y();
        for (int x = 0; x < size; x++) {
          resized[dst + x] = 0f;
        }
        for (int k = 0; k < vertical.taps[y]; k++) {
          float weight = vertical.weights[wk + k] * inv255;
          int row = (c * rows + firstRow + k) * size;
          for (int x = 0; x < size; x++) {
            resized[dst + x] += weight * wide[row + x];
          }
        }
      }
    }
  }

  // The crop already has the output size: no interpolation, so values stay exact.
  private void copyCrop(
      byte[] src, int base, int w, int h, int channels, CropBox box, boolean flip, float[] out) {
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < size; y++) {
        int srcRow = base + (c * h + box.y() + y) * w + box.x();
        int dst = (c * size + y) * size;
        if (flip) {
          for (int x = 0; x < size; x++) {
            out[dst + x] = (src[srcRow + size - 1 - x] & 0xFF) / 255f;
          }
        } else {
          for (int x = 0; x < size; x++) {
            out[dst + x] = (src[srcRow + x] & 0xFF) / 255f;
          }
        }
      }
    }
  }

  private void convertAndNormalise(float[] resized, int sourceChannels, float[] out, int offset) {
    int plane = size * size;
    int channels = config.channels();
    if (sourceChannels == 3 && channels == 1) {
      for (int i = 0; i < plane; i++) {
        float gray = ColorJitter.luma(resized[i], resized[plane + i], resized[2 * plane + i]);
        out[offset + i] = (gray - mean[0]) / std[0];
      }
      return;
    }
    for (int c = 0; c < channels; c++) {
      // Same channel count: plane c; gray source: its single plane, replicated.
      int from = sourceChannels == 1 ? 0 : c * plane;
      int to = offset + c * plane;
      float m = mean[c];
      float s = std[c];
      for (int i = 0; i < plane; i++) {
        out[to + i] = (resized[from + i] - m) / s;
      }
    }
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** Per-thread buffers, grown on demand and reused across images. */
  private static final class Scratch {
    private float[] resized = new float[0];
    private float[] wide = new float[0];

    float[] resized(int length) {
      if (resized.length < length) {
        resized = new float[length];
      }
      return resized;
    }

    float[] wide(int length) {
      if (wide.length < length) {
        wide = new float[length];
      }
      return wide;
    }
  }
}
