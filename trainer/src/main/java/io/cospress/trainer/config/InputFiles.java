package io.cospress.trainer.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks the type of a file before it is opened. Opening a FIFO blocks until a writer appears and a
 * device can stream forever, so models, data, manifests and loss inputs must be regular files (a
 * symbolic link counts as what it points to); reading the type does not open the file.
 */
public final class InputFiles {

  // st_mode type bits (POSIX)
  private static final int TYPE_MASK = 0170000;
  private static final int FIFO = 0010000;
  private static final int CHARACTER_DEVICE = 0020000;
  private static final int BLOCK_DEVICE = 0060000;
  private static final int SOCKET = 0140000;

  private InputFiles() {}

  /**
   * @throws InvalidInputException naming the field and file unless it is a regular file
   */
  public static void requireRegularFile(String field, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          field
              + ": "
              + file
              + (Files.exists(file) ? " is " + kind(file) + ", not a file" : " not found"));
    }
  }

  /**
   * @throws InvalidInputException naming the field and directory unless it is a directory
   */
  public static void requireDirectory(String field, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException(
          field
              + ": "
              + dir
              + (Files.exists(dir) ? " is " + kind(dir) + ", not a directory" : " not found"));
    }
  }

  /**
   * @throws InvalidInputException if the file is larger than {@code maxBytes}
   */
  public static void requireAtMost(String field, Path file, long maxBytes) throws IOException {
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new InvalidInputException(
          field + ": " + file + " is " + size + " bytes, more than the " + maxBytes + " allowed");
    }
  }

  /** What a path is, in words: "a directory", "a FIFO (named pipe)", "a regular file", ... */
  public static String kind(Path path) {
    if (Files.isDirectory(path)) {
      return "a directory";
    }
    if (Files.isRegularFile(path)) {
      return "a regular file";
    }
    try {
      int type = ((Integer) Files.getAttribute(path, "unix:mode")) & TYPE_MASK;
      return switch (type) {
        case FIFO -> "a FIFO (named pipe)";
        case CHARACTER_DEVICE -> "a character device";
        case BLOCK_DEVICE -> "a block device";
        case SOCKET -> "a socket";
        default -> "a special file";
      };
    } catch (NoSuchFileException e) {
      return "missing";
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file";
    }
  }
}
