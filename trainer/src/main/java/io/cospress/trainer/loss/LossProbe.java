package io.cospress.trainer.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.model.CompressionHead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the objective on an input file in the fixture format ({@code teacher}, {@code student},
 * {@code ln_weight}, {@code ln_bias}, {@code linear_weight}, {@code linear_bias}, {@code
 * temperatures}), all λ = 1, and returns the terms and the gradients of the total. Used by the
 * {@code loss} CLI command and by the parity tests, so anyone can check the trainer against an
 * independent implementation.
 */
public final class LossProbe {

  /** Terms and gradients, copied to the host. */
  public record Result(LossValues terms, Map<String, float[]> gradients) {}

  /** Loss inputs are small test tensors; anything near this size is not one. */
  static final long MAX_BYTES = 1L << 30;

  private LossProbe() {}

  /**
   * Evaluates an input file.
   *
   * @throws InvalidInputException naming the file and array when the file is not a regular file,
   *     not an npz archive, or holds missing, non-float32, mis-shaped or non-finite arrays
   */
  public static Result evaluate(Path npz) throws IOException {
    InputFiles.requireRegularFile("FILE.npz", npz);
    InputFiles.requireAtMost("FILE.npz", npz, MAX_BYTES);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList inputs = decode(manager, npz);
      LossInputs.check(inputs, npz);
      NDArray teacher = inputs.get("teacher");
      NDArray student = inputs.get("student");
      NDList headArrays =
          new NDList(
              inputs.get("ln_weight"),
              inputs.get("ln_bias"),
              inputs.get("linear_weight"),
              inputs.get("linear_bias"));
      float[] taus = inputs.get("temperatures").toFloatArray();
      List<Double> temperatures = new java.util.ArrayList<>();
      for (float tau : taus) {
        temperatures.add((double) tau);
      }
      try (CosPressLoss loss = new CosPressLoss(temperatures, LossWeights.ONES);
          CompressionHead head = CompressionHead.of(manager, headArrays)) {
        student.setRequiresGradient(true);
        LossValues values;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          LossTerms terms = loss.compute(teacher, head.forward(teacher), student);
          collector.backward(terms.total());
          values = terms.values();
        }
        Map<String, float[]> gradients = new LinkedHashMap<>();
        gradients.put("grad_student", student.getGradient().toFloatArray());
        String[] names = {
          "grad_ln_weight", "grad_ln_bias", "grad_linear_weight", "grad_linear_bias"
        };
        for (int i = 0; i < names.length; i++) {
          gradients.put(names[i], head.parameters().get(i).array().getGradient().toFloatArray());
        }
        return new Result(values, gradients);
      }
    }
  }

  private static NDList decode(NDManager manager, Path npz) throws IOException {
    try (InputStream in = Files.newInputStream(npz)) {
      return NDList.decode(manager, in);
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(
          "FILE.npz: " + npz + " is not an .npz archive of arrays (" + e.getMessage() + ")", e);
    }
  }
}
