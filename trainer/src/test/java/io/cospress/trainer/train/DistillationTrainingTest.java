package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.report.MetricsReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real CosPress training on real Fashion-MNIST images with the bundled TorchScript models. */
class DistillationTrainingTest {

  @TempDir Path work;

  @Test
  void studentLearnsTheTeachersGeometry() throws Exception {
    RunManifest manifest =
        SampleRun.load(
            work,
            SampleRun.manifest(
                2048,
                5,
                true,
                """
                    optimizer:
                      learningRate: 0.001
                      warmupEpochs: 0.5
                """));
    Path output = work.resolve("out");
    try (TrainingSession session = SampleRun.open(manifest, output, null)) {
      MetricsReport before = session.evaluateOnly();
      RunResult result = SampleRun.run(session);
      MetricsReport after = result.metrics();
      System.out.printf(
          "student kNN %.3f -> %.3f (teacher %.3f), agreement %.3f -> %.3f,"
              + " similarity MAE %.4f -> %.4f%n",
          before.studentKnnAccuracy(),
          after.studentKnnAccuracy(),
          after.teacherKnnAccuracy(),
          before.agreement(),
          after.agreement(),
          before.similarityMae(),
          after.similarityMae());

      assertThat(result.completed()).isTrue();
      assertThat(result.step()).isEqualTo(5 * (2048 / 64));
      // Eight in-distribution classes: chance is 0.125. A random ViT already clusters
      // Fashion-MNIST somewhat, so the bar is a clear rise over the untrained student too.
      assertThat(after.studentKnnAccuracy()).isGreaterThan(0.45);
      assertThat(after.studentKnnAccuracy()).isGreaterThan(before.studentKnnAccuracy() + 0.02);
      assertThat(after.agreement()).isGreaterThan(before.agreement());
      assertThat(after.similarityMae()).isLessThan(before.similarityMae() * 0.8);
      assertThat(after.similaritySpearman()).isGreaterThan(before.similaritySpearman());
      assertThat(after.teacherKnnAccuracy()).isGreaterThan(0.7);
      assertThat(after.oodAuroc()).isBetween(0.0, 1.0);
      assertThat(Files.isRegularFile(result.finalStudent())).isTrue();
    }
  }
}
