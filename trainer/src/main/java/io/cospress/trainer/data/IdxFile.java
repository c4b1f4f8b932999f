package io.cospress.trainer.data;

import io.cospress.trainer.config.InputFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The header and uint8 payload of one IDX file (the MNIST layout), read fully into memory.
 *
 * <p>Compression is detected from the gzip magic bytes, not the file name, because datasets are
 * often renamed or decompressed in place by tools that keep the ".gz" suffix.
 */
final class IdxFile {

  static final int MAGIC_UBYTE_VECTOR = 0x00000801;
  static final int MAGIC_UBYTE_IMAGES = 0x00000803;

  // Java arrays cannot be larger than this; such datasets belong in an image folder anyway.
  private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 16L;

  // deflate expands at most about 1032:1; a little slack for the gzip framing
  private static final long MAX_DEFLATE_RATIO = 1100;

  private static final int INITIAL_BUFFER = 64 << 20;

  private final int[] dimensions;
  private final byte[] payload;

  private IdxFile(int[] dimensions, byte[] payload) {
    this.dimensions = dimensions;
    this.payload = payload;
  }

  /** Length of dimension {@code d}. */
  int dimension(int d) {
    return dimensions[d];
  }

  /** The uint8 values after the header, row-major. */
  byte[] payload() {
    return payload;
  }

  /**
   * Reads an IDX file whose magic number must be {@code expectedMagic}.
   *
   * @param role what the file is to the run ("images file", "labels file"), used in messages
   * @param what a human description of the expected content, used in messages
   */
  static IdxFile read(Path file, String role, int expectedMagic, String what) {
    String name = role + " " + file;
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(
          name
              + (Files.exists(file)
                  ? ": is " + InputFiles.kind(file) + ", not a file"
                  : ": file not found"));
    }
    try (InputStream in = openMaybeGzipped(file)) {
      boolean gzipped = in instanceof GZIPInputStream;
      long fileSize = Files.size(file);
      DataInputStream data = new DataInputStream(in);
      int magic = readHeaderInt(data, name);
      if (magic != expectedMagic) {
        throw new DatasetException(
            String.format(
                "%s: magic number 0x%08x%s, expected 0x%08x (%s)",
                name, magic, knownKind(magic), expectedMagic, what));
      }
      int[] dims = new int[expectedMagic & 0xFF];
      long total = 1;
      for (int d = 0; d < dims.length; d++) {
        dims[d] = readHeaderInt(data, name);
        if (dims[d] <= 0) {
          throw new DatasetException(
              name + ": dimension " + d + " is " + dims[d] + " in the header, expected > 0");
        }
        total *= dims[d];
        if (total > MAX_PAYLOAD) {
          throw new DatasetException(
              name
                  + ": header declares more than 2 GiB of data, too large for the IDX reader;"
                  + " use the imageFolder format for datasets this big");
        }
      }
      checkDeclaredSize(name, dims, total, fileSize, gzipped);
      byte[] payload = readPayload(data, (int) total);
      if (payload.length < total) {
        throw truncated(name, dims, payload.length);
      }
      if (data.read() != -1) {
        throw new DatasetException(
            name
                + ": has data after the "
                + total
                + " bytes its header "
                + shape(dims)
                + " declares; is it the right file?");
      }
      return new IdxFile(dims, payload);
    } catch (EOFException e) {
      throw new DatasetException(name + ": truncated (the compressed stream ends early)", e);
    } catch (ZipException e) {
      throw new DatasetException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (NoSuchFileException e) {
      throw new DatasetException(name + ": file not found", e);
    } catch (IOException e) {
      throw new DatasetException(name + ": cannot be read (" + e + ")", e);
    }
  }

  /**
   * Refuses a header whose size cannot be true, before any memory is spent on it: an uncompressed
   * file must hold exactly the declared bytes, a gzip stream cannot expand more than deflate's
   * limit, and the pixels must fit in a quarter of the heap (the rest is the pipeline's).
   */
  private static void checkDeclaredSize(
      String name, int[] dims, long total, long fileSize, boolean gzipped) {
    long header = 4L + 4L * dims.length;
    if (!gzipped && fileSize - header < total) {
      throw truncated(name, dims, Math.max(0, fileSize - header));
    }
    if (gzipped && total > fileSize * MAX_DEFLATE_RATIO) {
      throw new DatasetException(
          name
              + ": header "
              + shape(dims)
              + " declares "
              + total
              + " bytes, more than a "
              + fileSize
              + "-byte gzip file can hold; the file is truncated or not what it claims");
    }
    long budget = Runtime.getRuntime().maxMemory() / 4;
    if (total > budget) {
      throw new DatasetException(
          name
              + ": header "
              + shape(dims)
              + " declares "
              + (total >> 20)
              + " MiB of data, more than the "
              + (budget >> 20)
              + " MiB (a quarter of the JVM heap, -Xmx) the IDX reader may hold; give the"
              + " trainer more memory or use the imageFolder format");
    }
  }

  /**
   * Reads up to {@code declared} bytes into an array that grows with what really arrives, so a
   * header that lies about a compressed stream costs no more memory than the stream holds.
   */
  private static byte[] readPayload(InputStream in, int declared) throws IOException {
    byte[] buffer = new byte[Math.min(declared, INITIAL_BUFFER)];
    int filled = 0;
    while (filled < declared) {
      if (filled == buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(declared, 2L * buffer.length));
      }
      int n = in.read(buffer, filled, buffer.length - filled);
      if (n < 0) {
        return Arrays.copyOf(buffer, filled);
      }
      filled += n;
    }
    return buffer;
  }

  private static InputStream openMaybeGzipped(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new GZIPInputStream(in, 1 << 16);
      }
      return in;
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  private static int readHeaderInt(DataInputStream data, String name) throws IOException {
    byte[] word = data.readNBytes(4);
    if (word.length < 4) {
      throw new DatasetException(name + ": too short for an IDX header (truncated or empty file)");
    }
    return ((word[0] & 0xFF) << 24)
        | ((word[1] & 0xFF) << 16)
        | ((word[2] & 0xFF) << 8)
        | (word[3] & 0xFF);
  }

  private static DatasetException truncated(String name, int[] dims, long got) {
    long expected = 1;
    for (int d : dims) {
      expected *= d;
    }
    return new DatasetException(
        name
            + ": truncated: header "
            + shape(dims)
            + " declares "
            + expected
            + " bytes of data but only "
            + got
            + " follow");
  }

  private static String shape(int[] dims) {
    return Arrays.toString(dims);
  }

  private static String knownKind(int magic) {
    if (magic == MAGIC_UBYTE_VECTOR) {
      return " (an IDX uint8 labels file)";
    }
    if (magic == MAGIC_UBYTE_IMAGES) {
      return " (an IDX uint8 images file)";
    }
    if ((magic & 0xFFFF0000) != 0) {
      return " (not an IDX file)";
    }
    return "";
  }
}
