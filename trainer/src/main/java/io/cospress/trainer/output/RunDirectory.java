package io.cospress.trainer.output;

import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where one run writes: the output directory ({@code status.json}, {@code final/}) and the
 * checkpoint directory, usually inside it. One trainer at a time: each directory is locked (see
 * {@link DirectoryLock}) before the first byte is written, and a second trainer is refused.
 *
 * <p>The order keeps bad input from leaving traces: {@link #inspect} only looks (types, and in a
 * pod where links lead); {@link #lockExisting} takes the locks of directories a trainer has already
 * used, so a second trainer is refused before it spends time on models and data; only once the
 * inputs have been checked does {@link #lockAll} create what is missing.
 */
public final class RunDirectory implements AutoCloseable {

  /** Name of the final output directory under the output directory. */
  public static final String FINAL = "final";

  /** Name of the status file under the output directory. */
  public static final String STATUS_FILE = "status.json";

  private final Map<Path, String> directories = new LinkedHashMap<>();
  private final Path output;
  private final Path checkpoints;
  private final Consumer<String> warnings;
  private final List<DirectoryLock> locks = new ArrayList<>();
  private Duration patience = Duration.ZERO;

  private RunDirectory(Path output, Path checkpoints, Consumer<String> warnings) {
    this.output = output;
    this.checkpoints = checkpoints;
    this.warnings = warnings;
    directories.put(output, "--output");
    if (!checkpoints.startsWith(output)) {
      directories.put(checkpoints, "spec.checkpoint.path");
    }
  }

  /**
   * Checks, without writing anything, that the run's paths are directories where they exist and,
   * when confined, that none of them leads out of the volume through a link.
   *
   * @param checkpoints the checkpoint directory, already resolved (and confined) from the manifest
   * @throws InvalidInputException naming the option, field or file
   */
  public static RunDirectory inspect(
      Path output, Path checkpoints, Confinement confinement, Consumer<String> warnings) {
    Path out = output.toAbsolutePath().normalize();
    requireDirectoryIfPresent("--output", out);
    requireDirectoryIfPresent("spec.checkpoint.path", checkpoints);
    Path finalDir = confinement.check("--output (its final/ directory)", out.resolve(FINAL));
    requireDirectoryIfPresent("--output (its final/ directory)", finalDir);
    Path status = out.resolve(STATUS_FILE);
    if (Files.isDirectory(status)) {
      throw new InvalidInputException(
          "--output: " + status + " is a directory; the trainer writes its status file there");
    }
    return new RunDirectory(out, checkpoints.toAbsolutePath().normalize(), warnings);
  }

  /**
   * How long to wait for another trainer to let go before refusing. Zero (the default) refuses at
   * once, as a person at a terminal wants; in a pod the previous attempt of the same run may still
   * be writing its last checkpoint within its grace period, and the next attempt should wait for it
   * rather than fail the run.
   */
  public RunDirectory waitingUpTo(Duration patience) {
    this.patience = patience;
    return this;
  }

  private static void requireDirectoryIfPresent(String field, Path dir) {
    if (Files.exists(dir)) {
      InputFiles.requireDirectory(field, dir);
    }
  }

  /**
   * Locks every directory that already has a lock file: a trainer has worked there, and if one
   * still does, this one is refused now. Creates nothing.
   *
   * @throws DirectoryInUseException if another trainer holds one of them
   */
  public void lockExisting() throws IOException {
    for (Map.Entry<Path, String> dir : directories.entrySet()) {
      if (Files.isDirectory(dir.getKey()) && DirectoryLock.exists(dir.getKey()) && !held(dir)) {
        locks.add(
            DirectoryLock.acquire(dir.getKey(), dir.getValue(), patience, warnings, warnings));
      }
    }
  }

  /**
   * Creates the directories and locks every one not locked yet: call it once the inputs have been
   * checked, before the first write.
   *
   * @throws DirectoryInUseException if another trainer holds one of them
   */
  public void lockAll() throws IOException {
    for (Map.Entry<Path, String> dir : directories.entrySet()) {
      if (!held(dir)) {
        Files.createDirectories(dir.getKey());
        locks.add(
            DirectoryLock.acquire(dir.getKey(), dir.getValue(), patience, warnings, warnings));
      }
    }
    for (DirectoryLock lock : locks) {
      lock.announce();
    }
  }

  private boolean held(Map.Entry<Path, String> dir) {
    return locks.stream().anyMatch(l -> l.directory().equals(dir.getKey()));
  }

  public Path output() {
    return output;
  }

  public Path checkpoints() {
    return checkpoints;
  }

  public Path statusFile() {
    return output.resolve(STATUS_FILE);
  }

  @Override
  public void close() {
    for (DirectoryLock lock : locks) {
      try {
        lock.close();
      } catch (IOException e) {
        warnings.accept("warning: cannot release " + lock.directory() + ": " + e.getMessage());
      }
    }
    locks.clear();
  }
}
