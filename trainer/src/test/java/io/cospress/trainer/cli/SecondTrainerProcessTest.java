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
 * Two trainer processes on one output directory: the second is refused at once (exit 2, naming the
 * first one's pid) by the operating-system lock the first holds, and the first finishes as if the
 * second had never been started.
 */
class SecondTrainerProcessTest {

  private static final Path EXAMPLES =
      Path.of(System.getProperty("cospress.examples", "../examples")).toAbsolutePath();

  @TempDir Path work;

  private Path manifest() throws IOException {
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
          checkpoint: {path: checkpoints, keep: 2}
        """
            .formatted(EXAMPLES);
    return Files.writeString(work.resolve("run.yaml"), yaml);
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

  private static long step(Path output) {
    try {
      JsonNode status = new ObjectMapper().readTree(output.resolve("status.json").toFile());
      return status.path("progress").path("step").asLong();
    } catch (IOException e) {
      return -1; // not written yet
    }
  }

  @Test
  void secondTrainerOnTheSameDirectoryIsRefusedAndTheFirstFinishesUntouched() throws Exception {
    Path manifest = manifest();
    Path output = work.resolve("out");
    Process first = start(manifest, output, "first.log");
    try {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
      while (step(output) < 1) {
        assertThat(first.isAlive()).as("first trainer is training").isTrue();
        assertThat(Instant.now()).as("first trainer's first step").isBefore(deadline);
        Thread.sleep(50);
      }

      Process second = start(manifest, output, "second.log");
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("second trainer exits").isTrue();
      boolean firstStillRunning = first.isAlive();
      String secondLog = Files.readString(work.resolve("second.log"));

      assertThat(second.exitValue()).as(secondLog).isEqualTo(2);
      assertThat(secondLog)
          .contains("error: --output: " + output + " is in use by another trainer")
          .contains("pid " + first.pid())
          .doesNotContain("resuming", "\tat ");
      assertThat(firstStillRunning).as("refused while the first was still training").isTrue();

      assertThat(first.waitFor(300, TimeUnit.SECONDS)).as("first trainer finishes").isTrue();
      String firstLog = Files.readString(work.resolve("first.log"));
      assertThat(first.exitValue()).as(firstLog).isZero();
      assertThat(firstLog).doesNotContain("resuming").contains("done: 40 steps");
      JsonNode status = new ObjectMapper().readTree(output.resolve("status.json").toFile());
      assertThat(status.path("phase").asText()).isEqualTo("Succeeded");
      assertThat(status.path("progress").path("step").asLong()).isEqualTo(40);
      assertThat(output.resolve("final/student.pt")).isRegularFile();
      assertThat(output.resolve("checkpoints/ckpt-0000000040/state.json")).isRegularFile();
    } finally {
      first.destroyForcibly();
    }
  }
}
