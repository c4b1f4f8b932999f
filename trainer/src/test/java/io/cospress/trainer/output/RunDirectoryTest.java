package io.cospress.trainer.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.config.PathEscapeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

  @TempDir Path work;

  private final List<String> warnings = new ArrayList<>();

  private RunDirectory inspect(Path output) {
    return inspect(output, "checkpoints");
  }

  private RunDirectory inspect(Path output, String checkpointPath) {
    return RunDirectory.inspect(
        output, output.resolve(checkpointPath), Confinement.none(), warnings::add);
  }

  @Test
  void aSecondLockOnTheSameCheckpointPathIsRefusedUntilTheFirstIsReleased() throws Exception {
    Path output = work.resolve("out");
    Path checkpoints = output.resolve("checkpoints");
    try (RunDirectory first = inspect(output)) {
      first.lockAll();
      assertThat(checkpoints.resolve(DirectoryLock.FILE_NAME)).isRegularFile();
      assertThat(output.resolve(DirectoryLock.FILE_NAME)).doesNotExist();
      try (RunDirectory second = inspect(output)) {
        assertThatThrownBy(second::lockExisting)
            .isInstanceOf(DirectoryInUseException.class)
            .hasMessageStartingWith(
                "spec.checkpoint.path: " + checkpoints + " is in use by another trainer");
      }
    }
    try (RunDirectory third = inspect(output)) {
      third.lockExisting();
      third.lockAll();
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void runsSharingAnOutputDirectoryWithTheirOwnCheckpointPathsEachHoldTheirOwn() throws Exception {
    Path claim = work.resolve("claim");
    try (RunDirectory a = inspect(claim, "sweep/lr-1e-3");
        RunDirectory b = inspect(claim, "sweep/lr-3e-4")) {
      a.lockExisting();
      b.lockExisting();
      a.lockAll();
      b.lockAll();
      assertThat(a.statusFile()).isEqualTo(claim.resolve("sweep/lr-1e-3/status.json"));
      assertThat(b.statusFile()).isEqualTo(claim.resolve("sweep/lr-3e-4/status.json"));
      assertThat(a.finalDirectory()).isEqualTo(claim.resolve("sweep/lr-1e-3/final"));
      assertThat(b.finalDirectory()).isEqualTo(claim.resolve("sweep/lr-3e-4/final"));
      assertThat(a.checkpoints()).isEqualTo(claim.resolve("sweep/lr-1e-3"));
      try (var root = Files.list(claim)) {
        assertThat(root.map(p -> p.getFileName().toString()))
            .as("nothing of either run at the shared root")
            .containsExactly("sweep");
      }
    }
    assertThat(warnings).isEmpty();
  }

  /**
   * A trainer in another process (POSIX locks belong to a process, so this is what the kernel
   * arbitrates): a run on another checkpoint path of the same output proceeds, one on the same path
   * is refused with the holder's pid.
   */
  @Test
  void anotherProcessHoldingOneCheckpointPathLeavesTheOthersFreeAndIsNamed() throws Exception {
    Path claim = Files.createDirectories(work.resolve("claim"));
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderProcess.class.getName(),
                claim.toString(),
                claim.resolve("runs/a").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");

      try (RunDirectory neighbour = inspect(claim, "runs/b")) {
        neighbour.lockExisting();
        neighbour.lockAll();
        assertThat(neighbour.checkpoints().resolve(DirectoryLock.FILE_NAME)).isRegularFile();
      }
      try (RunDirectory same = inspect(claim, "runs/a")) {
        assertThatThrownBy(same::lockExisting)
            .isInstanceOf(DirectoryInUseException.class)
            .hasMessageStartingWith(
                "spec.checkpoint.path: "
                    + claim.resolve("runs/a")
                    + " is in use by another trainer (pid "
                    + holder.pid()
                    + " on ")
            .hasMessageEndingWith("wait until it exits, or give this run another directory");
      }
    } finally {
      holder.getOutputStream().close();
      if (!holder.waitFor(30, TimeUnit.SECONDS)) {
        holder.destroyForcibly();
      }
    }
    try (RunDirectory after = inspect(claim, "runs/a")) {
      after.lockExisting();
      after.lockAll();
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void runsWithTheSameCheckpointPathUnderDifferentOutputsAreRefusedToo() throws Exception {
    Path shared = work.resolve("shared-checkpoints");
    try (RunDirectory first =
        RunDirectory.inspect(work.resolve("out"), shared, Confinement.none(), warnings::add)) {
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
    Path other = Files.createDirectories(work.resolve("other/checkpoints/status.json"));
    assertThatThrownBy(() -> inspect(work.resolve("other")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "spec.checkpoint.path: "
                + other
                + " is a directory; the trainer writes its status file there");
  }

  @Test
  void inAPodAFinalDirectoryLinkedOutOfTheVolumeIsRefused() throws Exception {
    Path volume = Files.createDirectories(work.resolve("volume"));
    Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
    Path checkpoints = Files.createDirectories(volume.resolve("checkpoints"));
    Files.createSymbolicLink(checkpoints.resolve(RunDirectory.FINAL), elsewhere);
    assertThatThrownBy(
            () ->
                RunDirectory.inspect(
                    volume, checkpoints, Confinement.within(volume), warnings::add))
        .isInstanceOf(PathEscapeException.class)
        .hasMessageStartingWith("spec.checkpoint.path (its final/ directory)")
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
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("waiting up to 30 s: spec.checkpoint.path: ");
  }
}
