package io.cospress.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A run's checkpoint directory on its volume, read from this machine: the complete checkpoints
 * ({@code ckpt-<step>} with their {@code state.json}) and the temporary ones a writer leaves while
 * it works.
 */
public final class Checkpoints {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "ckpt-";

  /** One complete checkpoint: its directory and where training stood when it was written. */
  public record Saved(String name, int epoch, int batch, long step, Path dir) {}

  private final Path dir;

  Checkpoints(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public boolean exists() {
    return Files.isDirectory(dir);
  }

  /** Complete checkpoints, oldest first. */
  public List<Saved> list() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith(PREFIX))
          .filter(p -> Files.isRegularFile(p.resolve("state.json")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .map(Checkpoints::read)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Optional<Saved> latest() {
    List<Saved> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Names of everything in the directory, hidden temporaries included. */
  public List<String> entries() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Damages {@code checkpoint} the way a torn write or a bad disk would: one byte of its student
   * file changes, so its recorded checksum no longer matches.
   */
  public static void corrupt(Saved checkpoint) {
    try (Stream<Path> files = Files.list(checkpoint.dir())) {
      Path victim =
          files
              .filter(p -> !p.getFileName().toString().equals("state.json"))
              .filter(Files::isRegularFile)
              .max(Comparator.comparingLong(Checkpoints::size))
              .orElseThrow(() -> new AssertionError("no payload in " + checkpoint.dir()));
      byte[] bytes = Files.readAllBytes(victim);
      bytes[bytes.length / 2] ^= (byte) 0xff;
      Files.write(victim, bytes, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Saved read(Path ckpt) {
    try {
      JsonNode state = JSON.readTree(ckpt.resolve("state.json").toFile());
      return new Saved(
          ckpt.getFileName().toString(),
          state.path("epoch").asInt(),
          state.path("batch").asInt(),
          state.path("step").asLong(),
          ckpt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ckpt.resolve("state.json"), e);
    }
  }
}
