package io.cospress.trainer.data;

import java.util.SplittableRandom;

/** A pixel-aligned rectangle of a source image, chosen by the random resized crop. */
record CropBox(int x, int y, int width, int height) {

  private static final int ATTEMPTS = 10;
  private static final double LOG_MIN_ASPECT = Math.log(3.0 / 4.0);
  private static final double LOG_MAX_ASPECT = Math.log(4.0 / 3.0);

  /** The whole image. */
  static CropBox whole(int width, int height) {
    return new CropBox(0, 0, width, height);
  }

  /**
   * A random crop covering a uniform fraction in {@code [scaleMin, 1]} of the image area with a
   * log-uniform aspect ratio in [3/4, 4/3]. Draws that do not fit are retried a few times; after
   * that the centre crop with the aspect ratio clamped to that range is used, so the result is
   * always valid even for very elongated images.
   */
  static CropBox randomResized(int width, int height, double scaleMin, SplittableRandom random) {
    double area = (double) width * height;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * random.nextDouble(scaleMin, Math.nextUp(1.0));
      double aspect = Math.exp(random.nextDouble(LOG_MIN_ASPECT, LOG_MAX_ASPECT));
      int w = (int) Math.round(Math.sqrt(target * aspect));
      int h = (int) Math.round(Math.sqrt(target / aspect));
      if (w > 0 && h > 0 && w <= width && h <= height) {
        int x = random.nextInt(width - w + 1);
        int y = random.nextInt(height - h + 1);
        return new CropBox(x, y, w, h);
      }
    }
    return centre(width, height);
  }

  private static CropBox centre(int width, int height) {
    double ratio = (double) width / height;
    int w = width;
    int h = height;
    if (ratio < 3.0 / 4.0) {
      h = Math.min(height, Math.max(1, (int) Math.round(width / (3.0 / 4.0))));
    } else if (ratio > 4.0 / 3.0) {
      w = Math.min(width, Math.max(1, (int) Math.round(height * (4.0 / 3.0))));
    }
    return new CropBox((width - w) / 2, (height - h) / 2, w, h);
  }
}
