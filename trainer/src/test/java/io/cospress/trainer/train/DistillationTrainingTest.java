package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.trainer.config.RunManifest;
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
                3,
                true,
                """
                  optimizer:
                    learningRate: 0.001
                    warmupEpochs: 0.5
                """));
    Path output = work.resolve("out");
    try (DistillationSession session = SampleRun.open(manifest, output, null)) {
      MetricsStatus before = session.evaluateOnly();
      RunResult result = session.run();
      MetricsStatus after = result.metrics();

      assertThat(result.completed()).isTrue();
      assertThat(result.step()).isEqualTo(3 * (2048 / 64));
      // Eight in-distribution classes: chance is 0.125.
      assertThat(after.getStudentKnnAccuracy()).isGreaterThan(0.6);
      assertThat(after.getStudentKnnAccuracy()).isGreaterThan(before.getStudentKnnAccuracy());
      assertThat(after.getSimilarityMae()).isLessThan(before.getSimilarityMae() * 0.8);
      assertThat(after.getSimilaritySpearman()).isGreaterThan(before.getSimilaritySpearman());
      assertThat(after.getTeacherKnnAccuracy()).isGreaterThan(0.7);
      assertThat(after.getOodAuroc()).isBetween(0.0, 1.0);
      assertThat(Files.isRegularFile(result.finalStudent())).isTrue();
    }
  }
}
