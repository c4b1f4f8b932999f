package io.cospress.trainer.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive with every float32 tensor stored as bfloat16: what PyTorch's {@code
 * module.to(torch.bfloat16)} saves, made without Python.
 *
 * <p>DJL cannot cast a loaded TorchScript module ({@code PtSymbolBlock.cast} is not implemented,
 * and its JNI has no {@code set_data} or {@code module.to(dtype)}), so the bf16 copy is made from
 * the file. A TorchScript archive stores each tensor as raw little-endian bytes in {@code data/KEY}
 * (and {@code constants/KEY}), typed by the storage class its pickle names ({@code torch
 * FloatStorage}); the pickle is protocol 2 as libtorch writes it. Renaming that class to {@code
 * BFloat16Storage} and rounding the bytes of exactly those storages (round to nearest even) is the
 * whole conversion: shapes, strides and offsets count elements, not bytes, and stay valid.
 */
public final class Bfloat16Archive {

  private static final String FLOAT = "torch\nFloatStorage\n";
  private static final String BFLOAT16 = "torch\nBFloat16Storage\n";

  private Bfloat16Archive() {}

  /** The archive at {@code file}, converted; throws {@link IOException} for anything unexpected. */
  public static byte[] convert(Path file) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    // Read through the central directory: libtorch writes stored entries with data descriptors,
    // which a streaming reader refuses.
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    Set<String> floatRecords = new HashSet<>();
    for (String name : Set.copyOf(entries.keySet())) {
      String folder;
      if (name.endsWith("/data.pkl")) {
        folder = "data/";
      } else if (name.endsWith("/constants.pkl")) {
        folder = "constants/";
      } else {
        continue;
      }
      String prefix = name.substring(0, name.lastIndexOf('/') + 1);
      Set<String> keys = new HashSet<>();
      entries.put(name, rewritePickle(entries.get(name), keys, name));
      keys.forEach(k -> floatRecords.add(prefix + folder + k));
    }
    for (String record : floatRecords) {
      byte[] data = entries.get(record);
      if (data == null) {
        throw new IOException("tensor record " + record + " is missing");
      }
      entries.put(record, toBfloat16(data));
    }
    return zip(entries);
  }

  /**
   * Copies a protocol-2 pickle, renaming FloatStorage and collecting the keys of the storages of
   * that class. libtorch memoises the class after its first use, so later tensors refer to it with
   * BINGET; the storage key is the string that follows the class in the persistent id.
   */
  static byte[] rewritePickle(byte[] pickle, Set<String> floatKeys, String name)
      throws IOException {
    ByteBuffer in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    ByteArrayOutputStream out = new ByteArrayOutputStream(pickle.length + 64);
    Map<Long, String> memoGlobals = new HashMap<>();
    String lastGlobal = null;
    boolean keyNext = false;
    while (in.hasRemaining()) {
      int start = in.position();
      int op = in.get() & 0xff;
      String global = null;
      String text = null;
      Long memo = null;
      switch (op) {
        case 0x80, 'K', 'U', 'C', 0x8c -> { // PROTO, BININT1; short strings read below
          if (op == 'U' || op == 'C' || op == 0x8c) {
            int length = in.get() & 0xff;
            text = string(in, length);
          } else {
            in.get();
          }
        }
        case 'M' -> in.getShort();
        case 'J' -> in.getInt();
        case 'G' -> in.getLong();
        case 'X', 'T', 'B' -> text = string(in, in.getInt());
        case 0x8a -> skip(in, in.get() & 0xff);
        case 0x8b -> skip(in, in.getInt());
        case 'q' -> memo = (long) (in.get() & 0xff);
        case 'r' -> memo = in.getInt() & 0xffffffffL;
        case 'h' -> global = memoGlobals.get((long) (in.get() & 0xff));
        case 'j' -> global = memoGlobals.get(in.getInt() & 0xffffffffL);
        case 'c' -> global = line(in) + "\n" + line(in) + "\n";
        case '(',
            '.',
            '0',
            '1',
            'N',
            0x88,
            0x89,
            ']',
            'e',
            'a',
            '}',
            'u',
            's',
            ')',
            't',
            0x85,
            0x86,
            0x87,
            'R',
            'b',
            0x81,
            'Q' -> {}
        default ->
            throw new IOException(
                name + ": unsupported pickle opcode 0x" + Integer.toHexString(op) + " at " + start);
      }
      if (memo != null) {
        if (lastGlobal != null) {
          memoGlobals.put(memo, lastGlobal);
        }
      } else {
        lastGlobal = global;
      }
      if (op == 'c' && FLOAT.equals(global)) {
        out.writeBytes(("c" + BFLOAT16).getBytes(StandardCharsets.UTF_8));
      } else {
        out.write(pickle, start, in.position() - start);
      }
      if (FLOAT.equals(global)) {
        keyNext = true;
      } else if (keyNext && text != null) {
        floatKeys.add(text);
        keyNext = false;
      } else if (keyNext && memo == null) {
        throw new IOException(name + ": no storage key after FloatStorage at " + start);
      }
    }
    return out.toByteArray();
  }

  /** float32 little-endian → bfloat16 little-endian, rounded to nearest even; NaN stays NaN. */
  static byte[] toBfloat16(byte[] float32) throws IOException {
    if (float32.length % 4 != 0) {
      throw new IOException("a float32 record of " + float32.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(float32).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(float32.length / 2).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      out.putShort(bfloat16(Float.intBitsToFloat(in.getInt())));
    }
    return out.array();
  }

  static short bfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      // libtorch reads records in place; stored (uncompressed) entries are what it writes.
      out.setMethod(ZipOutputStream.STORED);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        entry.setSize(e.getValue().length);
        entry.setCompressedSize(e.getValue().length);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String string(ByteBuffer in, int length) {
    byte[] b = new byte[length];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String line(ByteBuffer in) {
    StringBuilder s = new StringBuilder();
    for (byte b = in.get(); b != '\n'; b = in.get()) {
      s.append((char) b);
    }
    return s.toString();
  }

  private static void skip(ByteBuffer in, int length) {
    in.position(in.position() + length);
  }
}
