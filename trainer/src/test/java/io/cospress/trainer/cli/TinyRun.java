package io.cospress.trainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPOutputStream;

/**
 * A run small enough to train in a second: the tiny TorchScript test models (a ViT teacher of width
 * 16 returning (pooled, tokens), a ViT student of width 8, both 50 tokens at 28 px) and a few dozen
 * synthetic 28 × 28 images in gzipped IDX files.
 */
final class TinyRun {

  static final int TRAIN = 64;
  static final int CLASSES = 4;

  private TinyRun() {}

  /** The test models directory of the classpath. */
  static Path model(String name) {
    try {
      return Path.of(TinyRun.class.getResource("/models/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes models/ and data/ under {@code dir} and returns it. */
  static Path prepare(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("models"));
    Files.copy(
        model("teacher-tuple.pt"),
        dir.resolve("models/teacher.pt"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        model("student-patch4.pt"),
        dir.resolve("models/student.pt"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.createDirectories(dir.resolve("data"));
    Files.write(dir.resolve("data/train-images.gz"), gzip(images(TRAIN, 1)));
    Files.write(dir.resolve("data/train-labels.gz"), gzip(labels(TRAIN)));
    Files.write(dir.resolve("data/val-images.gz"), gzip(images(16, 2)));
    Files.write(dir.resolve("data/val-labels.gz"), gzip(labels(16)));
    Files.write(dir.resolve("data/ood-images.gz"), gzip(images(16, 3)));
    return dir;
  }

  /**
   * The manifest of the tiny run; {@code prefix} is put before every model and data path ("" for
   * paths relative to the base directory, or a directory with a trailing slash).
   */
  static String manifest(String prefix) {
    return """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata:
          name: tiny
        spec:
          teacher:
            model: %1$smodels/teacher.pt
            select: "1"
          student:
            model: %1$smodels/student.pt
          dataset:
            format: idx
            imageSize: 28
            channels: 1
            train:
              path: %1$sdata/train-images.gz
              labels: %1$sdata/train-labels.gz
            validation:
              path: %1$sdata/val-images.gz
              labels: %1$sdata/val-labels.gz
            ood:
              path: %1$sdata/ood-images.gz
          training:
            epochs: 1
            batchSize: 32
            optimizer:
              learningRate: 0.001
          evaluation:
            knnK: 5
            bankSize: 64
          checkpoint:
            path: checkpoints
        """
        .formatted(prefix);
  }

  /** IDX images with a class-dependent pattern, so the split is not all alike. */
  static byte[] images(int count, int salt) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + count * 28 * 28);
    buffer.putInt(0x803).putInt(count).putInt(28).putInt(28);
    for (int i = 0; i < count; i++) {
      int label = i % CLASSES;
      for (int p = 0; p < 28 * 28; p++) {
        buffer.put((byte) ((p * (label + 1) * 7 + i * salt * 13) % 256));
      }
    }
    return buffer.array();
  }

  static byte[] labels(int count) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + count);
    buffer.putInt(0x801).putInt(count);
    for (int i = 0; i < count; i++) {
      buffer.put((byte) (i % CLASSES));
    }
    return buffer.array();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
