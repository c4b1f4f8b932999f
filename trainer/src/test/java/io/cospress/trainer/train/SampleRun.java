package io.cospress.trainer.train;

import ai.djl.Device;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.manifest.ManifestLoader;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Manifests over the bundled sample teacher, student and Fashion-MNIST subset, for tests. */
final class SampleRun {

  static Path examples() {
    return Path.of(System.getProperty("cospress.examples", "../examples")).toAbsolutePath();
  }

  /**
   * A manifest on the bundled sample; {@code extraSpec} lines are appended under {@code spec:} with
   * two-space indentation (they may override nothing set here).
   */
  static String manifest(int trainLimit, int epochs, boolean withValidation, String training) {
    String validation =
        withValidation
            ? """
                validation:
                  path: data/fashion-mnist-sample/val-images-idx3-ubyte.gz
                  labels: data/fashion-mnist-sample/val-labels-idx1-ubyte.gz
                  limit: 400
                ood:
                  path: data/fashion-mnist-sample/ood-images-idx3-ubyte.gz
                  labels: data/fashion-mnist-sample/ood-labels-idx1-ubyte.gz
                  limit: 200
            """
            : "";
    return """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata:
          name: sample
          namespace: tests
        spec:
          teacher:
            model: models/teacher-vit-fmnist.pt
          student:
            model: models/student-vit-tiny.pt
          dataset:
            format: idx
            imageSize: 28
            channels: 1
            mean: [0.2860]
            std: [0.3530]
            train:
              path: data/fashion-mnist-sample/train-images-idx3-ubyte.gz
              labels: data/fashion-mnist-sample/train-labels-idx1-ubyte.gz
              limit: %d
        %s
          training:
            epochs: %d
            batchSize: 64
            seed: 11
        %s
          evaluation:
            knnK: 20
            knnTemperature: 0.07
            bankSize: 2000
          checkpoint:
            path: checkpoints
            keep: 3
        """
        .formatted(trainLimit, validation.stripTrailing(), epochs, training.stripTrailing());
  }

  static RunManifest load(Path dir, String yaml) throws IOException {
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, yaml);
    RunManifest parsed = ManifestLoader.load(file);
    return new RunManifest(parsed.config(), examples());
  }

  static TrainingSession open(RunManifest manifest, Path output, Long stopAfter)
      throws IOException {
    return new SessionFactory(new RunOptions(output, Device.cpu(), -1, 1, stopAfter), line -> {})
        .open(manifest);
  }

  /** Trains the session to its end (or its stop-after step), reporting nowhere. */
  static RunResult run(TrainingSession session) throws IOException {
    return session.run(
        (report, milestone) -> {},
        new TrainerMetrics(new SimpleMeterRegistry(), "tests", "sample"),
        new StopSignal());
  }

  private SampleRun() {}
}
