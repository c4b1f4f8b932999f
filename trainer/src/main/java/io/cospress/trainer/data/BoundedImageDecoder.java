package io.cospress.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a PNG or JPEG only after reading its declared size from the header: a file of a few bytes
 * can declare a 100,000 × 100,000 image, and the decoder would allocate it before noticing that the
 * pixel data is missing.
 */
final class BoundedImageDecoder {

  /** 64 megapixels (8192 × 8192): far above any training image, far below what exhausts a heap. */
  static final long MAX_PIXELS = 64L << 20;

  private BoundedImageDecoder() {}

  /**
   * @throws DatasetException naming the file if it is not a readable PNG/JPEG or is too large
   */
  static BufferedImage decode(Path file) {
    // A File input makes ImageIO read through a FileImageInputStream, which needs no on-disk
    // cache (pods run with a read-only root filesystem) and gives each call its own stream.
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new DatasetException("image file " + file + ": cannot be opened");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DatasetException("image file " + file + ": not a PNG or JPEG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > MAX_PIXELS) {
          throw new DatasetException(
              "image file "
                  + file
                  + ": declares "
                  + width
                  + "x"
                  + height
                  + " pixels, more than the "
                  + (MAX_PIXELS >> 20)
                  + " megapixels an image may have");
        }
        return reader.read(0, reader.getDefaultReadParam());
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetException known) {
        throw known;
      }
      // Broken files surface as IOException or, from some decoders, as runtime exceptions.
      throw new DatasetException("image file " + file + ": cannot be decoded (" + e + ")", e);
    }
  }
}
