package io.cospress.trainer.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Writes tiny IDX and image files for tests, and locates the installed Fashion-MNIST. */
final class Fixtures {

  static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private Fixtures() {}

  /** IDX images file bytes for {@code count} images whose pixel j of image i is (i*31+j*7)%256. */
  static byte[] idxImages(int count, int rows, int cols) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * cols);
    buffer.putInt(0x00000803).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < rows * cols; j++) {
        buffer.put((byte) pixel(i, j));
      }
    }
    return buffer.array();
  }

  /** The value {@link #idxImages} stores at pixel {@code j} (row-major) of image {@code i}. */
  static int pixel(int i, int j) {
    return (i * 31 + j * 7) % 256;
  }

  /** IDX labels file bytes. */
  static byte[] idxLabels(int... labels) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
    buffer.putInt(0x00000801).putInt(labels.length);
    for (int label : labels) {
      buffer.put((byte) label);
    }
    return buffer.array();
  }

  /**
   * A PNG of only a signature, an IHDR chunk declaring {@code width x height} (8-bit gray) and
   * IEND: a decoder that trusts the header would allocate the whole image.
   */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] data) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code image} in {@code format} ("png" or "jpeg"). */
  static Path writeImage(Path file, BufferedImage image, String format) {
    try {
      Files.createDirectories(file.getParent());
      if (!ImageIO.write(image, format, file.toFile())) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A grayscale image whose pixel (x, y) is {@code values[y][x]}. */
  static BufferedImage gray(int[][] values) {
    int h = values.length;
    int w = values[0].length;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, values[y][x]);
      }
    }
    return image;
  }

  /** An image of {@code type} filled with pixel (x, y) = rgb(x*40, y*50, 200 - x*10). */
  static BufferedImage gradient(int w, int h, int type) {
    BufferedImage image = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, 0xFF000000 | rgb(x, y));
      }
    }
    return image;
  }

  static int rgb(int x, int y) {
    return (x * 40) << 16 | (y * 50) << 8 | (200 - x * 10);
  }

  /** A planar 8-bit image from values in [0,255], channel-major. */
  static DecodedImage planar(int w, int h, int channels, int... samples) {
    byte[] bytes = new byte[samples.length];
    for (int i = 0; i < samples.length; i++) {
      bytes[i] = (byte) samples[i];
    }
    return DecodedImage.planar(w, h, channels, bytes, 0);
  }

  static Path fashionMnist(String name) {
    Path file = FASHION_MNIST.resolve(name);
    assumeTrue(Files.isReadable(file), "Fashion-MNIST not installed at " + file);
    return file;
  }

  static IdxImageSource fashionMnistTrain() {
    return IdxImageSource.open(
        fashionMnist("train-images-idx3-ubyte.gz"), fashionMnist("train-labels-idx1-ubyte.gz"));
  }

  static IdxImageSource fashionMnistTest() {
    return IdxImageSource.open(
        fashionMnist("t10k-images-idx3-ubyte.gz"), fashionMnist("t10k-labels-idx1-ubyte.gz"));
  }
}
