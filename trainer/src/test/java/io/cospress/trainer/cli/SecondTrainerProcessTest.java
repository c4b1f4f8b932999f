package io.cospress.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trainer processes on one output directory. A second one on the same checkpoint path is refused at
 * once (exit 2, naming the first one's pid) by the operating-system lock the first holds, and the
 * first finishes as if the second had never been started. One with a checkpoint path of its own (a
 * sweep's runs on one claim) trains alongside, into its own directory.
 */
class SecondTrainerProcessTest {

  private static final Path EXAMPLES =
      Path.of(System.getProperty("cospress.examples", "../examples")).toAbsolutePath();

  @TempDir Path work;

  private Path manifest() throws IOException {
    return manifest("run.yaml", "checkpoints");
  }

  private Path manifest(String file, String checkpointPath) throws IOException {
    String yaml =
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata: {name: contested}
        spec:
          teacher: {model: %1$s/models/teacher-vit-fmnist.pt}
          student: {model: %1$s/models/student-vit-tiny.pt}
          dataset:
            format: idx
            imageSize: 28
            channels: 1
            train:
              path: %1$s/data/fashion-mnist-sample/train-images-idx3-ubyte.gz
              labels: %1$s/data/fashion-mnist-sample/train-labels-idx1-ubyte.gz
              limit: 1280
          training: {epochs: 2, batchSize: 64, seed: 3}
          checkpoint: {path: %2$s, keep: 2}
        """
            .formatted(EXAMPLES, checkpointPath);
    return Files.writeString(work.resolve(file), yaml);
  }

  private Process start(Path manifest, Path output, String log) throws IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "-cp",
            System.getProperty("java.class.path"),
            CosPressTrainer.class.getName(),
            "run",
            "-f",
            manifest.toString(),
            "--output",
            output.toString(),
            "--workers",
            "1");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve(log).toFile())
        .start();
  }

  private static long step(Path runDirectory) {
    try {
      JsonNode status = new ObjectMapper().readTree(runDirectory.resolve("status.json").toFile());
      return status.path("progress").path("step").asLong();
    } catch (IOException e) {
      return -1; // not written yet
    }
  }

  @Test
  void secondTrainerOnTheSameCheckpointPathIsRefusedOneOnItsOwnPathTrainsAlongside()
      throws Exception {
    Path manifest = manifest();
    Path output = work.resolve("out");
    Path runDirectory = output.resolve("checkpoints");
    Path neighbourDirectory = output.resolve("sweep/b");
    Process first = start(manifest, output, "first.log");
    // Another run of a sweep on the same output directory, in a checkpoint path of its own.
    Process neighbour = start(manifest("neighbour.yaml", "sweep/b"), output, "neighbour.log");
    try {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
      while (step(runDirectory) < 1) {
        assertThat(first.isAlive()).as("first trainer is training").isTrue();
        assertThat(Instant.now()).as("first trainer's first step").isBefore(deadline);
        Thread.sleep(50);
      }

      boolean neighbourAlongside = neighbour.isAlive();
      Process second = start(manifest, output, "second.log");
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("second trainer exits").isTrue();
      boolean firstStillRunning = first.isAlive();
      String secondLog = Files.readString(work.resolve("second.log"));

      assertThat(second.exitValue()).as(secondLog).isEqualTo(2);
      assertThat(secondLog)
          .contains(
              "error: spec.checkpoint.path: " + runDirectory + " is in use by another trainer")
          .contains("pid " + first.pid())
          .doesNotContain("resuming", "\tat ");
      assertThat(firstStillRunning).as("refused while the first was still training").isTrue();

      assertThat(first.waitFor(300, TimeUnit.SECONDS)).as("first trainer finishes").isTrue();
      String firstLog = Files.readString(work.resolve("first.log"));
      assertThat(first.exitValue()).as(firstLog).isZero();
      assertThat(firstLog).doesNotContain("resuming").contains("done: 40 steps");
      JsonNode status = new ObjectMapper().readTree(runDirectory.resolve("status.json").toFile());
      assertThat(status.path("phase").asText()).isEqualTo("Succeeded");
      assertThat(status.path("progress").path("step").asLong()).isEqualTo(40);
      assertThat(runDirectory.resolve("final/student.pt")).isRegularFile();
      assertThat(runDirectory.resolve("ckpt-0000000040/state.json")).isRegularFile();

      assertThat(neighbour.waitFor(300, TimeUnit.SECONDS)).as("neighbour finishes").isTrue();
      String neighbourLog = Files.readString(work.resolve("neighbour.log"));
      assertThat(neighbour.exitValue()).as(neighbourLog).isZero();
      assertThat(neighbourAlongside).as("the neighbour ran while the first trained").isTrue();
      assertThat(neighbourLog)
          .doesNotContain("in use", "waiting", "resuming")
          .contains("done: 40 steps");
      JsonNode neighbourStatus =
          new ObjectMapper().readTree(neighbourDirectory.resolve("status.json").toFile());
      assertThat(neighbourStatus.path("phase").asText()).isEqualTo("Succeeded");
      assertThat(neighbourDirectory.resolve("final/student.pt")).isRegularFile();
      assertThat(neighbourDirectory.resolve("ckpt-0000000040/state.json")).isRegularFile();
      try (var root = Files.list(output)) {
        assertThat(root.map(p -> p.getFileName().toString()))
            .as("nothing of either run at the shared root")
            .containsExactlyInAnyOrder("checkpoints", "sweep");
      }
    } finally {
      first.destroyForcibly();
      neighbour.destroyForcibly();
    }
  }
}
