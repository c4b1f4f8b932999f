package io.cospress.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.config.InvalidInputException;
import java.nio.file.Path;

/**
 * The arrays {@link LossProbe} needs and how they must look: float32, finite, and shaped as one
 * batch of teacher and student outputs with a head between them.
 */
final class LossInputs {

  private LossInputs() {}

  /**
   * @throws InvalidInputException naming the file and the first array that is wrong
   */
  static void check(NDList inputs, Path file) {
    String[] names = {
      "teacher", "student", "ln_weight", "ln_bias", "linear_weight", "linear_bias", "temperatures"
    };
    for (String name : names) {
      NDArray array = inputs.get(name);
      if (array == null) {
        throw wrong(file, name, "is missing");
      }
      if (array.getDataType() != DataType.FLOAT32) {
        throw wrong(
            file,
            name,
            "must be float32, got "
                + array.getDataType().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (array.getShape().dimension() == 0 || array.getShape().size() == 0) {
        throw wrong(file, name, "is empty (shape " + array.getShape() + ")");
      }
      for (float v : array.toFloatArray()) {
        if (!Float.isFinite(v)) {
          throw wrong(file, name, "holds " + v + "; every value must be finite");
        }
      }
    }
    Shape teacher = inputs.get("teacher").getShape();
    Shape student = inputs.get("student").getShape();
    if (teacher.dimension() != 3 && teacher.dimension() != 2) {
      throw wrong(file, "teacher", "must be [B,T,Dt] or pooled [B,Dt], got " + teacher);
    }
    if (teacher.get(0) < 2) {
      throw wrong(file, "teacher", "needs a batch of at least 2 (the global term compares pairs)");
    }
    long dt = teacher.get(teacher.dimension() - 1);
    long ds = student.get(student.dimension() - 1);
    Shape expectedStudent =
        teacher.dimension() == 3
            ? new Shape(teacher.get(0), teacher.get(1), ds)
            : new Shape(teacher.get(0), ds);
    if (!student.equals(expectedStudent)) {
      throw wrong(file, "student", "must be " + expectedStudent + " to match teacher " + teacher);
    }
    requireShape(inputs, file, "ln_weight", new Shape(dt));
    requireShape(inputs, file, "ln_bias", new Shape(dt));
    requireShape(inputs, file, "linear_weight", new Shape(ds, dt));
    requireShape(inputs, file, "linear_bias", new Shape(ds));
    NDArray temperatures = inputs.get("temperatures");
    if (temperatures.getShape().dimension() != 1) {
      throw wrong(file, "temperatures", "must be a list [K], got " + temperatures.getShape());
    }
    for (float tau : temperatures.toFloatArray()) {
      if (!(tau > 0)) {
        throw wrong(file, "temperatures", "must all be > 0, got " + tau);
      }
    }
  }

  private static void requireShape(NDList inputs, Path file, String name, Shape expected) {
    Shape actual = inputs.get(name).getShape();
    if (!actual.equals(expected)) {
      throw wrong(
          file,
          name,
          "must be " + expected + " for these teacher and student widths, got " + actual);
    }
  }

  private static InvalidInputException wrong(Path file, String name, String problem) {
    return new InvalidInputException("FILE.npz: " + file + ": array '" + name + "' " + problem);
  }
}
