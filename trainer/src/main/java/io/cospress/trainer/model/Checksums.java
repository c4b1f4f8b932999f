package io.cospress.trainer.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 pinning of teacher, student and data files (docs/security.md). */
public final class Checksums {

  private Checksums() {}

  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Does nothing when {@code expected} is null; otherwise fails naming the field and file. */
  public static void verify(Path file, String expected, String field) throws IOException {
    if (expected == null || expected.isBlank()) {
      return;
    }
    String actual = sha256(file);
    if (!actual.equalsIgnoreCase(expected)) {
      throw new ModelInputException(
          field
              + ": checksum mismatch for "
              + file
              + ": expected sha256 "
              + expected
              + " but the file has "
              + actual);
    }
  }
}
