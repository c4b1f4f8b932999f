package io.cospress.trainer.output;

import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where one run writes: its checkpoint directory ({@code spec.checkpoint.path}, resolved against
 * {@code --output}), which holds the checkpoints, {@code status.json} and {@code final/}. Nothing a
 * run writes for itself lands anywhere else, so runs that share an output directory (in a cluster:
 * the claim's root, a sweep on one claim) each with a checkpoint path of its own never meet. One
 * trainer at a time per run directory: it is locked (see {@link DirectoryLock}) before the first
 * byte is written, and a second trainer on the same checkpoint path is refused.
 *
 * <p>The order keeps bad input from leaving traces: {@link #inspect} only looks (types, and in a
 * pod where links lead); {@link #lockExisting} takes the lock of a run directory a trainer has
 * already used, so a second trainer is refused before it spends time on models and data; only once
 * the inputs have been checked does {@link #lockAll} create what is missing.
 */
public final class RunDirectory implements AutoCloseable {

  /** Name of the final output directory under the run directory. */
  public static final String FINAL = "final";

  /** Name of the status file under the run directory. */
  public static final String STATUS_FILE = "status.json";

  /** The manifest field that names the run directory, for messages. */
  static final String FIELD = "spec.checkpoint.path";

  private final Path run;
  private final Consumer<String> warnings;
  private DirectoryLock lock;
  private Duration patience = Duration.ZERO;

  private RunDirectory(Path run, Consumer<String> warnings) {
    this.run = run;
    this.warnings = warnings;
  }

  /**
   * Checks, without writing anything, that the run's paths are directories where they exist and,
   * when confined, that none of them leads out of the volume through a link.
   *
   * @param output {@code --output}: what relative checkpoint paths resolve against
   * @param checkpoints the checkpoint directory, already resolved (and confined) from the manifest
   * @throws InvalidInputException naming the option, field or file
   */
  public static RunDirectory inspect(
      Path output, Path checkpoints, Confinement confinement, Consumer<String> warnings) {
    requireDirectoryIfPresent("--output", output.toAbsolutePath().normalize());
    Path run = checkpoints.toAbsolutePath().normalize();
    requireDirectoryIfPresent(FIELD, run);
    Path finalDir = confinement.check(FIELD + " (its final/ directory)", run.resolve(FINAL));
    requireDirectoryIfPresent(FIELD + " (its final/ directory)", finalDir);
    Path status = run.resolve(STATUS_FILE);
    if (Files.isDirectory(status)) {
      throw new InvalidInputException(
          FIELD + ": " + status + " is a directory; the trainer writes its status file there");
    }
    return new RunDirectory(run, warnings);
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
   * Locks the run directory if it already has a lock file: a trainer has worked there, and if one
   * still does, this one is refused now. Creates nothing.
   *
   * @throws DirectoryInUseException if another trainer holds it
   */
  public void lockExisting() throws IOException {
    if (lock == null && Files.isDirectory(run) && DirectoryLock.exists(run)) {
      lock = DirectoryLock.acquire(run, FIELD, patience, warnings, warnings);
    }
  }

  /**
   * Creates the run directory and locks it if it is not locked yet: call it once the inputs have
   * been checked, before the first write.
   *
   * @throws DirectoryInUseException if another trainer holds it
   */
  public void lockAll() throws IOException {
    if (lock == null) {
      Files.createDirectories(run);
      lock = DirectoryLock.acquire(run, FIELD, patience, warnings, warnings);
    }
    lock.announce();
  }

  /** The checkpoint directory, which is the run's directory. */
  public Path checkpoints() {
    return run;
  }

  public Path statusFile() {
    return run.resolve(STATUS_FILE);
  }

  /** Where the finished run's student and head go. */
  public Path finalDirectory() {
    return run.resolve(FINAL);
  }

  @Override
  public void close() {
    if (lock == null) {
      return;
    }
    try {
      lock.close();
    } catch (IOException e) {
      warnings.accept("warning: cannot release " + lock.directory() + ": " + e.getMessage());
    }
    lock = null;
  }
}
