package io.cospress.trainer.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.model.CompressionHead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  private LossProbe() {}

  public static Result evaluate(Path npz) throws IOException {
    if (!Files.isReadable(npz)) {
      throw new NoSuchFileException(
          npz.toString(), null, "loss input file not found or unreadable");
    }
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(npz)) {
      NDList inputs = NDList.decode(manager, in);
      NDArray teacher = require(inputs, "teacher", npz);
      NDArray student = require(inputs, "student", npz);
      NDList headArrays =
          new NDList(
              require(inputs, "ln_weight", npz),
              require(inputs, "ln_bias", npz),
              require(inputs, "linear_weight", npz),
              require(inputs, "linear_bias", npz));
      float[] taus = require(inputs, "temperatures", npz).toFloatArray();
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

  private static NDArray require(NDList inputs, String name, Path file) {
    NDArray array = inputs.get(name);
    if (array == null) {
      throw new IllegalArgumentException(file + ": missing array '" + name + "'");
    }
    return array;
  }
}
