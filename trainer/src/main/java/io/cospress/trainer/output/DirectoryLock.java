package io.cospress.trainer.output;

import io.cospress.trainer.config.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An operating-system lock on a lock file inside a directory, held for the life of the process: the
 * kernel releases it when the process ends, however it ends (kill -9 included), so a crashed
 * trainer never leaves a stale lock behind. The file itself stays; holding its lock, not its
 * existence, is what counts. It records who holds it, for the message a second trainer prints.
 */
final class DirectoryLock implements AutoCloseable {

  static final String FILE_NAME = ".cospress-trainer.lock";

  private static final Duration POLL = Duration.ofMillis(500);

  /**
   * Lock files held by this JVM. POSIX record locks belong to the process, so a second channel of
   * the same process would be granted the lock (and closing it would drop the first one's): the
   * JVM's own claims are therefore tracked here, before the file is ever opened a second time.
   */
  private static final Set<Path> HELD_BY_THIS_PROCESS = new HashSet<>();

  private final Path directory;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(Path directory, Path file, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  static Path fileIn(Path directory) {
    return directory.resolve(FILE_NAME);
  }

  /**
   * Locks {@code directory}, waiting up to {@code patience} for another holder to let go.
   *
   * @param announce where to say that this trainer waits
   * @throws DirectoryInUseException if another trainer still holds it after {@code patience}
   */
  static DirectoryLock acquire(
      Path directory,
      String field,
      Duration patience,
      Consumer<String> announce,
      Consumer<String> warnings)
      throws IOException {
    Instant deadline = Instant.now().plus(patience);
    boolean announced = false;
    while (true) {
      try {
        return acquire(directory, field, warnings);
      } catch (DirectoryInUseException e) {
        if (!Instant.now().plus(POLL).isBefore(deadline)) {
          throw e;
        }
        if (!announced) {
          announce.accept("waiting up to " + patience.toSeconds() + " s: " + e.getMessage());
          announced = true;
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Locks {@code directory}, which must exist.
   *
   * @param field the option or manifest field that named the directory, for the message
   * @param warnings where to say that the file system cannot lock (then the lock is not held)
   * @throws DirectoryInUseException if another trainer holds it
   */
  static DirectoryLock acquire(Path directory, String field, Consumer<String> warnings)
      throws IOException {
    Path file = fileIn(directory).toAbsolutePath().normalize();
    synchronized (HELD_BY_THIS_PROCESS) {
      if (HELD_BY_THIS_PROCESS.contains(file)) {
        throw inUse(field, directory, "this process");
      }
      if (Files.isSymbolicLink(file)) {
        throw new InvalidInputException(
            field
                + ": "
                + file
                + " is a symbolic link; the trainer's lock file must be a plain file");
      }
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      } catch (IOException e) {
        // Some network file systems cannot lock at all; training there must still be possible.
        warnings.accept(
            "warning: cannot lock "
                + file
                + " ("
                + e.getMessage()
                + "); make sure no other trainer uses "
                + directory);
        return new DirectoryLock(directory, file, channel, null);
      }
      if (lock == null) {
        String holder = readHolder(channel);
        channel.close();
        throw inUse(field, directory, holder);
      }
      HELD_BY_THIS_PROCESS.add(file);
      return new DirectoryLock(directory, file, channel, lock);
    }
  }

  private static DirectoryInUseException inUse(String field, Path directory, String holder) {
    return new DirectoryInUseException(
        field
            + ": "
            + directory
            + " is in use by another trainer ("
            + holder
            + "); wait until it exits, or give this run another directory");
  }

  private static String readHolder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(256);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      return text.isBlank() ? "holder unknown" : text.strip();
    } catch (IOException e) {
      return "holder unknown";
    }
  }

  /**
   * Records this process as the holder, for the message a refused trainer prints. Only once the
   * trainer is about to write: a trainer that took the lock and then refused bad input leaves the
   * file as it found it.
   */
  void announce() throws IOException {
    if (lock != null) {
      writeHolder(channel);
    }
  }

  private static void writeHolder(FileChannel channel) throws IOException {
    String host = System.getenv().getOrDefault("HOSTNAME", "this host");
    String text =
        "pid " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now() + "\n";
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
  }

  Path directory() {
    return directory;
  }

  static boolean exists(Path directory) {
    return Files.exists(fileIn(directory), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void close() throws IOException {
    synchronized (HELD_BY_THIS_PROCESS) {
      try {
        if (lock != null) {
          lock.release();
        }
        channel.close();
      } finally {
        HELD_BY_THIS_PROCESS.remove(file);
      }
    }
  }
}
