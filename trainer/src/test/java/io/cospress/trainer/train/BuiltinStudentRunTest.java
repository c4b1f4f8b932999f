package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.config.RunManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs with a built-in DJL student train, checkpoint and resume like TorchScript ones. */
class BuiltinStudentRunTest {

  @TempDir Path work;

  private String manifest(String student, String training) {
    return SampleRun.manifest(256, 2, false, training)
        .replace("    model: models/student-vit-tiny.pt\n", student);
  }

  @Test
  void builtinVitTrainsResumesAndWritesDjlParameters() throws Exception {
    RunManifest manifest =
        SampleRun.load(
            work,
            manifest(
                """
                    architecture:
                      type: vit
                      patchSize: 4
                      width: 32
                      depth: 1
                      heads: 2
                """,
                ""));
    Path output = work.resolve("out");
    try (TrainingSession session = SampleRun.open(manifest, output, 5L)) {
      assertThat(SampleRun.run(session).completed()).isFalse();
    }
    RunResult result;
    try (TrainingSession session = SampleRun.open(manifest, output, null)) {
      assertThat(session.step()).isEqualTo(5);
      result = SampleRun.run(session);
    }
    assertThat(result.completed()).isTrue();
    assertThat(result.step()).isEqualTo(8);
    assertThat(result.finalStudent().getFileName().toString()).isEqualTo("student.params");
    assertThat(Files.size(result.finalStudent())).isGreaterThan(0);
  }

  @Test
  void builtinResnetDistilsThePooledEmbedding() throws Exception {
    RunManifest manifest =
        SampleRun.load(
            work,
            manifest(
                """
                    architecture:
                      type: resnet
                      width: 8
                      depth: 1
                      outputDim: 32
                    output: pooled
                """,
                "    pooledOnly: true\n"));
    try (TrainingSession session = SampleRun.open(manifest, work.resolve("out"), null)) {
      RunResult result = SampleRun.run(session);
      assertThat(result.completed()).isTrue();
      assertThat(result.metrics().featureLoss()).isZero();
      assertThat(result.metrics().globalLoss()).isPositive();
    }
  }
}
