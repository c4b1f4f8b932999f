package io.cospress.trainer.data;

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
    try (InputStream in = openMaybeGzipped(file)) {
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
      byte[] payload = new byte[(int) total];
      int got = data.readNBytes(payload, 0, payload.length);
      if (got < payload.length) {
        throw truncated(name, dims, got);
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
