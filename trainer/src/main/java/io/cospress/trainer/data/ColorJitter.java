package io.cospress.trainer.data;

/**
 * Brightness, contrast and saturation changes on planar [0,1] floats, in that fixed order, each
 * clamping to [0,1] like the usual image-library implementations.
 */
final class ColorJitter {

  // ITU-R BT.601 luma, the weights PIL and torchvision use for "L" conversion.
  static final float LUMA_R = 0.299f;
  static final float LUMA_G = 0.587f;
  static final float LUMA_B = 0.114f;

  private ColorJitter() {}

  /**
   * Applies the factors in place. A factor of 1 leaves the image unchanged; saturation only applies
   * to 3-channel images.
   */
  static void apply(
      float[] planes, int channels, int plane, float brightness, float contrast, float saturation) {
    int n = channels * plane;
    if (brightness != 1f) {
      for (int i = 0; i < n; i++) {
        planes[i] = clamp(planes[i] * brightness);
      }
    }
    if (contrast != 1f) {
      float mean = meanLuma(planes, channels, plane);
      float shift = (1 - contrast) * mean;
      for (int i = 0; i < n; i++) {
        planes[i] = clamp(planes[i] * contrast + shift);
      }
    }
    if (saturation != 1f && channels == 3) {
      float keep = 1 - saturation;
      for (int i = 0; i < plane; i++) {
        float gray = luma(planes[i], planes[plane + i], planes[2 * plane + i]);
        planes[i] = clamp(planes[i] * saturation + keep * gray);
        planes[plane + i] = clamp(planes[plane + i] * saturation + keep * gray);
        planes[2 * plane + i] = clamp(planes[2 * plane + i] * saturation + keep * gray);
      }
    }
  }

  static float luma(float r, float g, float b) {
    return LUMA_R * r + LUMA_G * g + LUMA_B * b;
  }

  private static float meanLuma(float[] planes, int channels, int plane) {
    double sum = 0;
    if (channels == 1) {
      for (int i = 0; i < plane; i++) {
        sum += planes[i];
      }
    } else {
      for (int i = 0; i < plane; i++) {
        sum += luma(planes[i], planes[plane + i], planes[2 * plane + i]);
      }
    }
    return (float) (sum / plane);
  }

  // Math.min/max compile to branch-free instructions; a ternary mispredicts on noisy pixels.
  private static float clamp(float v) {
    return Math.max(0f, Math.min(1f, v));
  }
}
