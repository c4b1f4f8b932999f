package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.RunManifest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped mid-epoch and restarted ends exactly where an uninterrupted run ends. */
class ResumeTest {

  private static final int LIMIT = 640; // 10 steps per epoch at batch 64

  @TempDir Path work;

  @Test
  void interruptedRunResumesStepScheduleAndOptimizerStateExactly() throws Exception {
    RunManifest manifest = SampleRun.load(work, SampleRun.manifest(LIMIT, 2, false, ""));

    RunResult uninterrupted;
    try (TrainingSession session = SampleRun.open(manifest, work.resolve("a"), null)) {
      uninterrupted = SampleRun.run(session);
    }

    Path output = work.resolve("b");
    RunResult stopped;
    try (TrainingSession session = SampleRun.open(manifest, output, 13L)) {
      stopped = SampleRun.run(session);
    }
    assertThat(stopped.completed()).isFalse();
    assertThat(stopped.step()).isEqualTo(13);

    CheckpointStore store = new CheckpointStore(output.resolve("checkpoints"), 3);
    Checkpoint saved = store.latestValid(w -> {}).orElseThrow();
    assertThat(saved.state().step()).isEqualTo(13);
    assertThat(saved.state().epoch()).isEqualTo(1);
    assertThat(saved.state().batch()).isEqualTo(3);

    RunResult resumed;
    try (TrainingSession session = SampleRun.open(manifest, output, null);
        NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(saved.file("optimizer.npz"))) {
      assertThat(session.step()).isEqualTo(13);
      assertThat(session.epoch()).isEqualTo(1);
      assertThat(session.batchInEpoch()).isEqualTo(3);
      assertThat(session.optimizerUpdates()).isEqualTo(13);
      NDList onDisk = NDList.decode(manager, in);
      NDList restored = session.optimizerState();
      assertThat(restored.size()).isEqualTo(onDisk.size()).isGreaterThan(0);
      for (NDArray moment : restored) {
        NDArray expected = onDisk.get(moment.getName());
        assertThat(expected).as(moment.getName()).isNotNull();
        assertThat(moment.toFloatArray())
            .as(moment.getName())
            .containsExactly(expected.toFloatArray());
      }
      assertThat(onDisk.get(0).abs().sum().getFloat()).isGreaterThan(0f); // moments are real
      resumed = SampleRun.run(session);
    }

    assertThat(resumed.completed()).isTrue();
    assertThat(resumed.step()).isEqualTo(uninterrupted.step()).isEqualTo(20);
    assertThat(resumed.epoch()).isEqualTo(uninterrupted.epoch());
    assertThat(resumed.learningRate()).isEqualTo(uninterrupted.learningRate());
    // Same data order, augmentation and moments: the losses of the last step agree closely.
    assertThat(resumed.metrics().loss())
        .isCloseTo(uninterrupted.metrics().loss(), org.assertj.core.data.Offset.offset(1e-3));
  }
}
