package io.cospress.trainer.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.config.PathEscapeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

  @TempDir Path work;

  private final List<String> warnings = new ArrayList<>();

  private RunDirectory inspect(Path output) {
    return RunDirectory.inspect(
        output, output.resolve("checkpoints"), Confinement.none(), warnings::add);
  }

  @Test
  void aSecondLockOnTheSameDirectoryIsRefusedUntilTheFirstIsReleased() throws Exception {
    Path output = work.resolve("out");
    try (RunDirectory first = inspect(output)) {
      first.lockAll();
      assertThat(output.resolve(DirectoryLock.FILE_NAME)).isRegularFile();
      try (RunDirectory second = inspect(output)) {
        assertThatThrownBy(second::lockExisting)
            .isInstanceOf(DirectoryInUseException.class)
            .hasMessageStartingWith("--output: " + output + " is in use by another trainer");
      }
    }
    try (RunDirectory third = inspect(output)) {
      third.lockExisting();
      third.lockAll();
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void aCheckpointDirectoryOutsideTheOutputIsLockedToo() throws Exception {
    Path output = work.resolve("out");
    Path shared = work.resolve("shared-checkpoints");
    try (RunDirectory first =
        RunDirectory.inspect(output, shared, Confinement.none(), warnings::add)) {
      first.lockAll();
      try (RunDirectory other =
          RunDirectory.inspect(work.resolve("out2"), shared, Confinement.none(), warnings::add)) {
        assertThatThrownBy(other::lockAll)
            .isInstanceOf(DirectoryInUseException.class)
            .hasMessageStartingWith("spec.checkpoint.path: " + shared);
      }
    }
  }

  @Test
  void lockingExistingDirectoriesCreatesNothing() throws Exception {
    Path output = Files.createDirectories(work.resolve("out"));
    try (RunDirectory directory = inspect(output)) {
      directory.lockExisting();
    }
    try (var entries = Files.list(output)) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void filesWhereDirectoriesBelongAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path output = Files.createDirectories(work.resolve("out"));
    Files.writeString(output.resolve("checkpoints"), "not a directory");
    assertThatThrownBy(() -> inspect(output))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "spec.checkpoint.path: "
                + output.resolve("checkpoints")
                + " is a regular file, not a directory");
    Path file = Files.writeString(work.resolve("file"), "x");
    assertThatThrownBy(() -> inspect(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--output: " + file);
  }

  @Test
  void inAPodAFinalDirectoryLinkedOutOfTheVolumeIsRefused() throws Exception {
    Path volume = Files.createDirectories(work.resolve("volume"));
    Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
    Files.createSymbolicLink(volume.resolve(RunDirectory.FINAL), elsewhere);
    assertThatThrownBy(
            () ->
                RunDirectory.inspect(
                    volume,
                    volume.resolve("checkpoints"),
                    Confinement.within(volume),
                    warnings::add))
        .isInstanceOf(PathEscapeException.class)
        .hasMessageContaining("leads outside its volume");
  }

  @Test
  void withPatienceASecondTrainerWaitsForTheFirstToLetGo() throws Exception {
    Path output = work.resolve("out");
    RunDirectory first = inspect(output);
    first.lockAll();
    Thread releaser =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              first.close();
            });
    releaser.start();
    try (RunDirectory second = inspect(output).waitingUpTo(java.time.Duration.ofSeconds(30))) {
      long start = System.nanoTime();
      second.lockExisting();
      assertThat(System.nanoTime() - start).isGreaterThan(1_000_000_000L);
    }
    releaser.join();
    assertThat(warnings).singleElement().asString().startsWith("waiting up to 30 s: --output: ");
  }
}
