package io.cospress.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.trainer.model.Checksums;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code ckpt-<step>} under one root. Each is written into a hidden
 * temporary directory and renamed into place, so a crash (kill -9 included) leaves either the old
 * set or the new one, never half a checkpoint. A state file with checksums of every payload file is
 * written last and lets a corrupt checkpoint be detected and skipped on resume.
 */
public final class CheckpointStore {

  static final String STATE_FILE = "state.json";
  private static final String PREFIX = "ckpt-";
  private static final String TMP_PREFIX = ".tmp-" + PREFIX;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final int keep;

  public CheckpointStore(Path root, int keep) {
    this.root = root;
    this.keep = Math.max(1, keep);
  }

  public Path root() {
    return root;
  }

  /** Writes a checkpoint atomically, then prunes all but the newest {@code keep} and the best. */
  public Checkpoint save(
      int epoch,
      int batch,
      long step,
      long seed,
      Double knnAccuracy,
      Map<String, String> recipe,
      CheckpointWriter writer)
      throws IOException {
    Files.createDirectories(root);
    String name = String.format("%s%010d", PREFIX, step);
    Path tmp = Files.createTempDirectory(root, ".tmp-" + name + "-");
    try {
      writer.writeTo(tmp);
      Map<String, String> files = new LinkedHashMap<>();
      try (Stream<Path> payload = Files.list(tmp)) {
        for (Path f : payload.sorted().toList()) {
          files.put(f.getFileName().toString(), Checksums.sha256(f));
        }
      }
      CheckpointState state =
          new CheckpointState(
              epoch, batch, step, seed, knnAccuracy, Instant.now().toString(), files, recipe);
      JSON.writeValue(tmp.resolve(STATE_FILE).toFile(), state);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteRecursively(target); // same step saved again (e.g. SIGTERM right after an epoch end)
      }
      move(tmp, target);
      Checkpoint checkpoint = new Checkpoint(target, state);
      prune();
      return checkpoint;
    } finally {
      if (Files.exists(tmp)) {
        deleteRecursively(tmp);
      }
    }
  }

  /**
   * Removes the temporary directories of checkpoints a killed trainer left half-written. Only the
   * trainer holding the run directory's lock may call this: another one may be writing.
   *
   * @return how many were removed
   */
  public int removeStaleTemporaries() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    List<Path> stale;
    try (Stream<Path> entries = Files.list(root)) {
      stale = entries.filter(p -> p.getFileName().toString().startsWith(TMP_PREFIX)).toList();
    }
    for (Path dir : stale) {
      deleteRecursively(dir);
    }
    return stale.size();
  }

  /** The newest checkpoint that verifies; each newer corrupt one is reported and skipped. */
  public Optional<Checkpoint> latestValid(Consumer<String> warnings) throws IOException {
    for (Path dir : checkpointDirectories()) {
      try {
        return Optional.of(verify(dir));
      } catch (IOException | RuntimeException e) {
        warnings.accept(
            "checkpoint "
                + dir
                + " is corrupt ("
                + e.getMessage()
                + "); falling back to the one before");
      }
    }
    return Optional.empty();
  }

  /** All complete checkpoints, newest first, without verifying checksums. */
  public List<Checkpoint> list() throws IOException {
    List<Checkpoint> all = new ArrayList<>();
    for (Path dir : checkpointDirectories()) {
      try {
        all.add(new Checkpoint(dir, readState(dir)));
      } catch (IOException | RuntimeException e) {
        // unreadable: ignored for listing and pruning, reported on resume
      }
    }
    return all;
  }

  public Optional<Checkpoint> best() throws IOException {
    return list().stream()
        .filter(c -> c.state().studentKnnAccuracy() != null)
        .max(
            Comparator.comparingDouble((Checkpoint c) -> c.state().studentKnnAccuracy())
                .thenComparingLong(c -> c.state().step()));
  }

  static Checkpoint verify(Path dir) throws IOException {
    CheckpointState state = readState(dir);
    if (state.files() == null || state.files().isEmpty()) {
      throw new IOException("no payload listed in " + STATE_FILE);
    }
    for (Map.Entry<String, String> file : state.files().entrySet()) {
      Path path = dir.resolve(file.getKey());
      // The trainer never writes links into a checkpoint: one there was planted, and following
      // it could read a file from outside the run's volume.
      if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            file.getKey() + (Files.isSymbolicLink(path) ? " is a symbolic link" : " is missing"));
      }
      if (!Checksums.sha256(path).equals(file.getValue())) {
        throw new IOException(file.getKey() + " does not match its checksum");
      }
    }
    return new Checkpoint(dir, state);
  }

  private static CheckpointState readState(Path dir) throws IOException {
    Path file = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(STATE_FILE + " is missing");
    }
    return JSON.readValue(file.toFile(), CheckpointState.class);
  }

  private List<Path> checkpointDirectories() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(
              p ->
                  p.getFileName().toString().startsWith(PREFIX)
                      && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    }
  }

  private void prune() throws IOException {
    List<Checkpoint> all = list();
    Optional<Checkpoint> best = best();
    for (int i = keep; i < all.size(); i++) {
      Checkpoint old = all.get(i);
      if (best.isEmpty() || !best.get().directory().equals(old.directory())) {
        deleteRecursively(old.directory());
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
