package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.cli.CosPressTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as a real process: SIGTERM (suspend, preemption, drain) makes it checkpoint before it
 * exits, and kill -9 loses at most the work since the last checkpoint.
 */
class ProcessInterruptionTest {

  private static final int STEPS_PER_EPOCH = 48; // 3072 images at batch 64

  @TempDir Path work;

  private Path manifest() throws IOException {
    Path file = work.resolve("run.yaml");
    String yaml =
        SampleRun.manifest(3072, 2, false, "")
            .replace("model: models/", "model: " + SampleRun.examples() + "/models/")
            .replace("path: data/", "path: " + SampleRun.examples() + "/data/")
            .replace("labels: data/", "labels: " + SampleRun.examples() + "/data/");
    Files.writeString(file, yaml);
    return file;
  }

  private Process start(Path manifest, Path output) throws IOException {
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
        .redirectOutput(output.resolveSibling(output.getFileName() + ".log").toFile())
        .start();
  }

  private static JsonNode status(Path output) {
    try {
      return new ObjectMapper().readTree(output.resolve("checkpoints/status.json").toFile());
    } catch (IOException e) {
      return null; // not written yet
    }
  }

  private static void await(String what, Duration timeout, Predicate<Void> condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.test(null)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void sigtermWritesACheckpointAtTheCurrentStepBeforeExiting() throws Exception {
    Path output = work.resolve("term");
    Process process = start(manifest(), output);
    try {
      await(
          "training progress",
          Duration.ofSeconds(120),
          v -> {
            JsonNode s = status(output);
            return s != null && s.path("progress").path("step").asLong() >= 3;
          });
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }

    JsonNode last = status(output);
    assertThat(last.path("phase").asText()).isEqualTo("Stopped");
    long step = last.path("progress").path("step").asLong();
    assertThat(step).isBetween(3L, 2L * STEPS_PER_EPOCH - 1);
    Checkpoint checkpoint =
        new CheckpointStore(output.resolve("checkpoints"), 3).latestValid(w -> {}).orElseThrow();
    assertThat(checkpoint.state().step()).isEqualTo(step);
    assertThat(checkpoint.state().epoch() * (long) STEPS_PER_EPOCH + checkpoint.state().batch())
        .isEqualTo(step);
  }

  @Test
  void killDashNineLosesOnlyTheWorkSinceTheLastCheckpoint() throws Exception {
    Path manifest = manifest();
    Path output = work.resolve("kill");
    CheckpointStore store = new CheckpointStore(output.resolve("checkpoints"), 3);
    Process process = start(manifest, output);
    long checkpointStep;
    try {
      await(
          "the first checkpoint",
          Duration.ofSeconds(180),
          v -> {
            try {
              return !store.list().isEmpty();
            } catch (IOException e) {
              return false;
            }
          });
      checkpointStep = store.list().get(0).state().step();
      await(
          "work past the checkpoint",
          Duration.ofSeconds(60),
          v -> {
            JsonNode s = status(output);
            return s != null && s.path("progress").path("step").asLong() > checkpointStep;
          });
      process.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(checkpointStep).isEqualTo(STEPS_PER_EPOCH);

    Process resumed = start(manifest, output);
    try {
      assertThat(resumed.waitFor(300, TimeUnit.SECONDS)).isTrue();
    } finally {
      resumed.destroyForcibly();
    }
    assertThat(resumed.exitValue()).isZero();
    String log = Files.readString(work.resolve("kill.log"));
    assertThat(log).contains("resuming from").contains("step " + checkpointStep);
    JsonNode last = status(output);
    assertThat(last.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(last.path("progress").path("step").asLong()).isEqualTo(2L * STEPS_PER_EPOCH);
  }
}
