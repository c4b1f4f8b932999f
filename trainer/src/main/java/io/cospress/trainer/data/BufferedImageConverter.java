package io.cospress.trainer.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/** Turns a decoded {@link BufferedImage} into planar 8-bit samples. */
final class BufferedImageConverter {

  private BufferedImageConverter() {}

  /**
   * Converts to a 1-channel image if the file is grayscale (with or without alpha), otherwise to
   * 3-channel RGB. Alpha is dropped, as the models never see it.
   */
  static DecodedImage toPlanar(BufferedImage image) {
    if (isGray(image.getColorModel())) {
      return gray(image);
    }
    return rgb(image);
  }

  private static boolean isGray(ColorModel model) {
    return model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && model.getNumColorComponents() == 1;
  }

  // Reads the raster rather than getRGB(): getRGB converts linear gray through sRGB and would
  // brighten every pixel of a grayscale PNG.
  private static DecodedImage gray(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h];
    Raster raster = image.getRaster();
    if (image.getType() == BufferedImage.TYPE_BYTE_GRAY
        && raster.getDataBuffer() instanceof DataBufferByte
        && raster.getSampleModel().getNumBands() == 1
        && raster.getMinX() == 0
        && raster.getMinY() == 0) {
      raster.getDataElements(0, 0, w, h, out);
      return DecodedImage.planar(w, h, 1, out, 0);
    }
    int bits = image.getColorModel().getComponentSize(0);
    int max = (1 << bits) - 1;
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        out[y * w + x] = (byte) (bits == 8 ? row[x] : Math.round(row[x] * 255f / max));
      }
    }
    return DecodedImage.planar(w, h, 1, out, 0);
  }

  private static DecodedImage rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    byte[] out = new byte[3 * plane];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      copyInterleaved(image, out, 3);
      return DecodedImage.planar(w, h, 3, out, 0);
    }
    if (image.getType() == BufferedImage.TYPE_4BYTE_ABGR) {
      copyInterleaved(image, out, 4);
      return DecodedImage.planar(w, h, 3, out, 0);
    }
    // getRGB handles every other colour model (palettes, 16-bit, CMYK JPEGs) correctly, just
    // more slowly; one row at a time keeps the temporary array small.
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        int i = y * w + x;
        out[i] = (byte) (argb >> 16);
        out[plane + i] = (byte) (argb >> 8);
        out[2 * plane + i] = (byte) argb;
      }
    }
    return DecodedImage.planar(w, h, 3, out, 0);
  }

  // The common JPEG/PNG layouts store bytes as [A]BGR per pixel; reading them directly is several
  // times faster than going through the colour model. The raster hands the elements of each pixel
  // over in band order (R, G, B[, A]), whatever their order in memory.
  private static void copyInterleaved(BufferedImage image, byte[] out, int stride) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    byte[] row = new byte[w * stride];
    Raster raster = image.getRaster();
    for (int y = 0; y < h; y++) {
      raster.getDataElements(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int s = x * stride;
        int i = y * w + x;
        out[i] = row[s];
        out[plane + i] = row[s + 1];
        out[2 * plane + i] = row[s + 2];
      }
    }
  }
}
