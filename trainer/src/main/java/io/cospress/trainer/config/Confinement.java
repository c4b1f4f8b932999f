package io.cospress.trainer.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps paths inside one directory tree (a pod's volume, see docs/security.md) by what they really
 * are, not only by their text: every symbolic link on the way is resolved, so a link planted in the
 * volume cannot lead the trainer to read or write elsewhere. A path that does not exist yet (a
 * checkpoint directory about to be created) is checked through its nearest existing ancestor.
 */
public final class Confinement {

  private static final Confinement NONE = new Confinement(null);

  private final Path root;

  private Confinement(Path root) {
    this.root = root;
  }

  /** No confinement: local runs may use any path. */
  public static Confinement none() {
    return NONE;
  }

  public static Confinement within(Path root) {
    return new Confinement(root.toAbsolutePath().normalize());
  }

  public boolean active() {
    return root != null;
  }

  /**
   * Returns {@code path} resolved to its real location when confined (unchanged otherwise).
   *
   * @param field the manifest field or option that named the path, for the message
   * @throws PathEscapeException if the path, or where its links lead, is outside the root
   */
  public Path check(String field, Path path) {
    if (root == null) {
      return path;
    }
    Path normalised = path.toAbsolutePath().normalize();
    if (!normalised.startsWith(root)) {
      throw new PathEscapeException(
          field + ": " + path + " leaves its volume " + root + "; use a path inside it");
    }
    Path real = realLocation(field, normalised);
    Path realRoot = realLocation(field, root);
    if (!real.startsWith(realRoot)) {
      throw new PathEscapeException(
          field
              + ": "
              + path
              + " leads outside its volume "
              + root
              + " through a symbolic link (to "
              + real
              + ")");
    }
    return real;
  }

  private static Path realLocation(String field, Path path) {
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = path;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      missing.push(existing.getFileName());
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      throw new PathEscapeException(
          field + ": " + existing + " is a symbolic link to nowhere; refusing to follow it");
    }
    while (!missing.isEmpty()) {
      real = real.resolve(missing.pop());
    }
    return real;
  }
}
