package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.config.Precision;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.manifest.ManifestLoader;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.torch.Transfer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Runs training steps of the quickstart models (examples/models, 28 px, one channel) with a given
 * precision and number of replicas, from the same initial weights and images, and reports the
 * losses and master weights: what the precision and data-parallel parity tests compare.
 */
final class StepHarness {

  static final int BATCH = 8;
  static final double LEARNING_RATE = 1e-3;

  /**
   * @param types {@code name:type} of every master
   * @param copyTypes {@code name:type} of every working copy
   * @param momentTypes types of the optimizer's moments
   * @param copyMismatch the largest |copy - master| / |master| over the elements of working copies
   *     in another type than their master (0 when there are none)
   */
  record Outcome(
      List<LossValues> losses,
      float[] before,
      float[] after,
      List<String> types,
      List<String> copyTypes,
      List<DataType> momentTypes,
      double copyMismatch) {

    /** The change of every master weight over the steps, flattened in parameter order. */
    double[] update() {
      double[] d = new double[after.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = (double) after[i] - before[i];
      }
      return d;
    }
  }

  private StepHarness() {}

  static ModelFiles files() {
    Path models = SampleRun.examples().resolve("models");
    return new ModelFiles(
        models.resolve("teacher-vit-fmnist.pt"), models.resolve("student-vit-tiny.pt"));
  }

  static TrainingConfig training(Precision precision) {
    TrainingConfig d = ManifestLoader.defaultTraining();
    return new TrainingConfig(
        d.epochs(),
        BATCH,
        d.optimizer(),
        d.temperatures(),
        d.lossWeights(),
        d.pooledOnly(),
        d.seed(),
        precision,
        0);
  }

  static NDArray images(NDManager manager, int step) {
    SplittableRandom random = new SplittableRandom(100 + step);
    float[] pixels = new float[BATCH * 28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    return manager.create(pixels, new Shape(BATCH, 1, 28, 28));
  }

  /** {@code steps} steps with {@code replicas} replicas, all on the CPU. */
  static Outcome run(Precision precision, int replicas, int steps) throws Exception {
    ModelFiles files = files();
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      devices.add(Device.cpu());
    }
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        TorchScriptModel teacher = files.loadTeacher(Device.cpu());
        TorchScriptStudent student = files.loadStudent(Device.cpu())) {
      ModelShapes shapes = ModelShapes.measure(teacher, student, manager, 1, 28);
      try (StepParts parts =
          StepParts.build(
              manager,
              teacher,
              student,
              shapes,
              training(precision),
              Optional.empty(),
              devices,
              files)) {
        List<TrainableParameter> masters = new ArrayList<>(student.parameters());
        masters.addAll(parts.head().parameters());
        float[] before = flatten(masters);
        List<LossValues> losses = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
          try (NDManager scope = manager.newSubManager()) {
            losses.add(parts.step().run(images(scope, s), LEARNING_RATE));
          }
        }
        List<String> types = new ArrayList<>();
        masters.forEach(p -> types.add(p.name() + ":" + p.array().getDataType()));
        List<String> copyTypes = new ArrayList<>();
        double mismatch = 0;
        for (TrainableParameter p : parts.optimizer().parameters()) {
          for (NDArray copy : p.copies()) {
            copyTypes.add(p.name() + ":" + copy.getDataType());
            if (copy.getDataType() != p.array().getDataType()) {
              mismatch = Math.max(mismatch, relativeMismatch(p.array(), copy));
            }
          }
        }
        List<DataType> momentTypes = new ArrayList<>();
        for (NDArray moment : parts.optimizer().state()) {
          momentTypes.add(moment.getDataType());
        }
        replicasAgree(parts);
        return new Outcome(
            losses, before, flatten(masters), types, copyTypes, momentTypes, mismatch);
      }
    }
  }

  /** Every replica copy of a float32 step holds exactly its master's values. */
  static void replicasAgree(StepParts parts) {
    for (TrainableParameter p : parts.optimizer().parameters()) {
      float[] master = p.array().toFloatArray();
      for (NDArray copy : p.copies()) {
        if (copy.getDataType() != p.array().getDataType()) {
          continue; // bfloat16 copies are rounded; the bf16 test checks them
        }
        float[] values = copy.toFloatArray();
        if (!java.util.Arrays.equals(master, values)) {
          throw new AssertionError(p.name() + ": a replica differs from its master");
        }
      }
    }
  }

  private static double relativeMismatch(NDArray master, NDArray copy) {
    float[] want = master.toFloatArray();
    float[] got = Transfer.toFloat32(copy, copy.getDevice()).toFloatArray();
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      if (want[i] != 0) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
      }
    }
    return worst;
  }

  static float[] flatten(List<TrainableParameter> parameters) {
    int size = 0;
    for (TrainableParameter p : parameters) {
      size += (int) p.array().size();
    }
    float[] all = new float[size];
    int at = 0;
    for (TrainableParameter p : parameters) {
      float[] v = p.array().toFloatArray();
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    return all;
  }

  static double relativeDifference(double[] a, double[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (a[i] - b[i]);
      norm += b[i] * b[i];
    }
    return Math.sqrt(diff / norm);
  }

  static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
