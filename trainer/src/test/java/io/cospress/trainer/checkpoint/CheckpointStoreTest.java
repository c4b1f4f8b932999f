package io.cospress.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  private static final java.util.Map<String, String> RECIPE =
      java.util.Map.of("spec.training.seed", "7");

  @TempDir Path root;

  private static CheckpointWriter payload(String content) {
    return dir -> Files.writeString(dir.resolve("student.pt"), content);
  }

  @Test
  void savedCheckpointVerifiesAndIsTheLatest() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    store.save(1, 0, 10, 7, 0.5, RECIPE, payload("a"));
    Checkpoint second = store.save(2, 0, 20, 7, 0.6, RECIPE, payload("b"));

    Checkpoint latest = store.latestValid(w -> {}).orElseThrow();
    assertThat(latest.directory()).isEqualTo(second.directory());
    assertThat(latest.state().step()).isEqualTo(20);
    assertThat(Files.readString(latest.file("student.pt"))).isEqualTo("b");
  }

  @Test
  void corruptLatestFallsBackToThePreviousWithAWarning() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    Checkpoint good = store.save(1, 0, 10, 7, null, RECIPE, payload("good"));
    Checkpoint bad = store.save(2, 0, 20, 7, null, RECIPE, payload("will be damaged"));
    Files.writeString(bad.file("student.pt"), "flipped bits");

    List<String> warnings = new ArrayList<>();
    Checkpoint latest = store.latestValid(warnings::add).orElseThrow();

    assertThat(latest.directory()).isEqualTo(good.directory());
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains(bad.name())
        .contains("student.pt does not match its checksum");
  }

  @Test
  void halfWrittenCheckpointIsInvisible() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    store.save(1, 0, 10, 7, null, RECIPE, payload("ok"));
    // What a kill -9 during a write leaves: a temporary directory, never a ckpt-* directory.
    Files.createDirectories(root.resolve(".tmp-ckpt-0000000020-123"));
    Files.writeString(root.resolve(".tmp-ckpt-0000000020-123/student.pt"), "partial");

    assertThat(store.latestValid(w -> {}).orElseThrow().state().step()).isEqualTo(10);
  }

  @Test
  void failingWriterLeavesNoTrace() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    try {
      store.save(
          1,
          0,
          10,
          7,
          null,
          RECIPE,
          dir -> {
            Files.writeString(dir.resolve("student.pt"), "x");
            throw new IOException("disk full");
          });
    } catch (IOException expected) {
      // the point of the test is what remains
    }
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void pruningKeepsTheNewestAndTheBest() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 2);
    store.save(1, 0, 10, 7, 0.9, RECIPE, payload("best"));
    store.save(2, 0, 20, 7, 0.5, RECIPE, payload("2"));
    store.save(3, 0, 30, 7, 0.6, RECIPE, payload("3"));
    store.save(4, 0, 40, 7, 0.7, RECIPE, payload("4"));

    assertThat(store.list()).extracting(c -> c.state().step()).containsExactly(40L, 30L, 10L);
    assertThat(store.best().orElseThrow().state().step()).isEqualTo(10);
  }

  @Test
  void emptyDirectoryHasNoCheckpoint() throws IOException {
    assertThat(new CheckpointStore(root.resolve("missing"), 1).latestValid(w -> {})).isEmpty();
  }

  @Test
  void theRecipeIsRecordedWithTheCheckpoint() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    store.save(1, 0, 10, 7, null, RECIPE, payload("a"));
    assertThat(store.latestValid(w -> {}).orElseThrow().state().recipe()).isEqualTo(RECIPE);
  }

  @Test
  void staleTemporaryDirectoriesOfAKilledTrainerAreRemoved() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    Checkpoint kept = store.save(1, 0, 10, 7, null, RECIPE, payload("a"));
    Path stale = Files.createDirectories(root.resolve(".tmp-ckpt-0000000020-123"));
    Files.writeString(stale.resolve("student.pt"), "half");

    assertThat(store.removeStaleTemporaries()).isEqualTo(1);

    assertThat(stale).doesNotExist();
    assertThat(kept.directory()).isDirectory();
  }

  @Test
  void aCheckpointWhoseFileIsALinkIsCorruptNotFollowed() throws IOException {
    CheckpointStore store = new CheckpointStore(root, 3);
    Checkpoint good = store.save(1, 0, 10, 7, null, RECIPE, payload("good"));
    Checkpoint planted = store.save(2, 0, 20, 7, null, RECIPE, payload("planted"));
    Path outside = Files.writeString(root.resolveSibling(root.getFileName() + "-outside"), "x");
    Files.delete(planted.file("student.pt"));
    Files.createSymbolicLink(planted.file("student.pt"), outside);
    List<String> warnings = new ArrayList<>();

    assertThat(store.latestValid(warnings::add).orElseThrow().directory())
        .isEqualTo(good.directory());
    assertThat(warnings).singleElement().asString().contains("student.pt is a symbolic link");
  }
}
