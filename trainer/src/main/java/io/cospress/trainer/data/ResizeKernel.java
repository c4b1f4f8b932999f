package io.cospress.trainer.data;

/**
 * Interpolation weights along one axis, from a span of source pixels to {@code outLength} outputs.
 *
 * <p>Triangle (bilinear) filter with pixel centres at half-integers. When upscaling this is plain
 * bilinear interpolation (edges clamp); when downscaling the triangle is widened to the scale
 * factor so that every source pixel contributes (antialiasing), as PIL and torchvision do, instead
 * of sampling two pixels and aliasing fine texture into noise.
 */
final class ResizeKernel {

  final int outLength;
  final int maxTaps;

  /** Absolute source index of the first tap of each output. */
  final int[] first;

  /** Number of taps of each output. */
  final int[] taps;

  /** Weights, {@code maxTaps} slots per output, summing to 1. */
  final float[] weights;

  private ResizeKernel(int outLength, int maxTaps, int[] first, int[] taps, float[] weights) {
    this.outLength = outLength;
    this.maxTaps = maxTaps;
    this.first = first;
    this.taps = taps;
    this.weights = weights;
  }

  /** Weights mapping source pixels {@code [start, start + length)} onto {@code outLength}. */
  static ResizeKernel of(int start, int length, int outLength) {
    double scale = (double) length / outLength;
    double support = Math.max(scale, 1.0);
    double invSupport = 1.0 / support;
    int maxTaps = (int) Math.ceil(2 * support) + 2;
    int[] first = new int[outLength];
    int[] taps = new int[outLength];
    float[] weights = new float[outLength * maxTaps];
    double[] raw = new double[maxTaps];
    for (int i = 0; i < outLength; i++) {
      double centre = (i + 0.5) * scale;
      // Truncation instead of floor/ceil: negative starts clamp to 0 anyway, and a possible
      // extra tap at the end has zero weight and is dropped below. This runs per image.
      int lo = Math.max(0, (int) (centre - support));
      int hi = Math.min(length, (int) (centre + support) + 1);
      // Drop zero-weight taps at both ends so that an exact 1:1 resize is a plain copy.
      int count = 0;
      int firstTap = -1;
      double sum = 0;
      for (int k = lo; k < hi; k++) {
        double w = 1 - Math.abs((k + 0.5 - centre) * invSupport);
        if (w <= 0) {
          if (firstTap < 0) {
            continue;
          }
          break;
        }
        if (firstTap < 0) {
          firstTap = k;
        }
        raw[count++] = w;
        sum += w;
      }
      if (count == 0) {
        // Cannot happen for support >= 1 but keeps the kernel total: nearest pixel.
        firstTap = Math.min(length - 1, Math.max(0, (int) Math.floor(centre)));
        raw[count++] = 1;
        sum = 1;
      }
      first[i] = start + firstTap;
      taps[i] = count;
      for (int k = 0; k < count; k++) {
        weights[i * maxTaps + k] = (float) (raw[k] / sum);
      }
    }
    return new ResizeKernel(outLength, maxTaps, first, taps, weights);
  }
}
