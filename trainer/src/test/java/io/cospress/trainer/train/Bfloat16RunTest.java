package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.model.TorchScriptModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole run with {@code precision: bf16}: it trains, checkpoints float32 weights (the masters),
 * and resumes with another precision, since checkpoints do not depend on it.
 */
class Bfloat16RunTest {

  @TempDir Path work;

  @Test
  void bfloat16RunCheckpointsFloat32WeightsAndResumesInFp32() throws Exception {
    RunManifest bf16 =
        SampleRun.load(work, SampleRun.manifest(256, 2, false, "    precision: bf16\n"));
    Path output = work.resolve("out");
    try (TrainingSession session = SampleRun.open(bf16, output, 3L)) {
      RunResult stopped = SampleRun.run(session);
      assertThat(stopped.completed()).isFalse();
      assertThat(stopped.metrics().globalLoss()).isPositive();
      assertThat(stopped.metrics().tokenLoss()).isPositive();
    }
    RunManifest fp32 =
        SampleRun.load(work, SampleRun.manifest(256, 2, false, "    precision: fp32\n"));
    RunResult result;
    try (TrainingSession session = SampleRun.open(fp32, output, null)) {
      assertThat(session.step()).isEqualTo(3);
      result = SampleRun.run(session);
    }
    assertThat(result.completed()).isTrue();
    try (TorchScriptModel saved =
        TorchScriptModel.load(result.finalStudent(), "final", null, false, Device.cpu())) {
      assertThat(saved.parameters("s."))
          .isNotEmpty()
          .allMatch(p -> p.array().getDataType() == DataType.FLOAT32);
    }
  }
}
