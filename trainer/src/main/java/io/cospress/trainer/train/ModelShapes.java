package io.cospress.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.OutputShape;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;

/**
 * The output shapes of teacher and student for a batch of two, learnt by running both models once:
 * they give the head its widths and reject, before any training time is spent, outputs the manifest
 * does not describe and token grids that do not match.
 *
 * @param teacher e.g. [2, T, Dt] or [2, Dt]
 * @param student e.g. [2, T, Ds] or [2, Ds]
 */
public record ModelShapes(Shape teacher, Shape student) {

  public long teacherWidth() {
    return teacher.get(teacher.dimension() - 1);
  }

  public long studentWidth() {
    return student.get(student.dimension() - 1);
  }

  /**
   * Runs both models on a tiny batch to learn their widths and to reject shapes the manifest does
   * not describe before any training time is spent.
   *
   * @return the output shapes of both models for a batch of two
   */
  static ModelShapes probe(
      TrainerConfig config, TorchScriptModel teacher, Student student, NDManager manager) {
    boolean pooledOnly = config.training().pooledOnly();
    int size = config.dataset().imageSize();
    int channels = config.dataset().channels();
    String studentName = config.student().describe();
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = scope.zeros(new Shape(2, channels, size, size));
      Shape t;
      Shape s;
      try {
        t = teacher.forward(images, false).getShape();
      } catch (RuntimeException e) {
        throw new ModelInputException(
            "spec.teacher.model: "
                + teacher.file()
                + " failed on a [2,"
                + channels
                + ","
                + size
                + ","
                + size
                + "] input (dataset.channels/imageSize): "
                + firstLine(e),
            e);
      }
      try {
        s = student.forward(images, false).getShape();
      } catch (RuntimeException e) {
        throw new ModelInputException(
            "spec.student.model: the student failed on a [2,"
                + channels
                + ","
                + size
                + ","
                + size
                + "] input (dataset.channels/imageSize): "
                + firstLine(e),
            e);
      }
      checkOutput("spec.teacher.output", teacher.file().toString(), t, config.teacher().output());
      checkOutput("spec.student.output", studentName, s, config.student().output());
      if (!pooledOnly && t.dimension() == 3 && s.dimension() == 3 && t.get(1) != s.get(1)) {
        throw new ModelInputException(
            "token-grid mismatch: teacher "
                + teacher.file()
                + " gives "
                + t.get(1)
                + " tokens but student "
                + studentName
                + " gives "
                + s.get(1)
                + " at image size "
                + size
                + " (different patch sizes?); set spec.training.pooledOnly: true to distil the"
                + " pooled embedding only");
      }
      if (t.dimension() != s.dimension() && !pooledOnly) {
        throw new ModelInputException(
            "spec.student.output: teacher gives "
                + t
                + " but student gives "
                + s
                + "; both must be tokens or both pooled, unless spec.training.pooledOnly is true");
      }
      return new ModelShapes(t, s);
    }
  }

  /** The output shapes for two blank images, without checking them against a manifest. */
  public static ModelShapes measure(
      TorchScriptModel teacher, Student student, NDManager manager, int channels, int size) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = scope.zeros(new Shape(2, channels, size, size));
      return new ModelShapes(
          teacher.forward(images, false).getShape(), student.forward(images, false).getShape());
    }
  }

  private static void checkOutput(String field, String file, Shape shape, OutputShape expected) {
    int want = expected.dimensions();
    if (shape.dimension() != want) {
      throw new ModelInputException(
          field
              + ": "
              + file
              + " returns shape "
              + shape
              + " but the manifest says '"
              + (expected == OutputShape.POOLED ? "pooled" : "tokens")
              + "' (expected "
              + (want == 3 ? "[B,T,D]" : "[B,D]")
              + ")");
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
