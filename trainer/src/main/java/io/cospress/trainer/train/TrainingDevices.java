package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.cospress.trainer.config.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The devices a run trains on, and what the log should say about them. */
final class TrainingDevices {

  private TrainingDevices() {}

  /**
   * On a GPU, one replica per visible GPU up to {@code spec.resources.gpus} (at least one): a pod
   * sees the GPUs it was given, a workstation perhaps more than the run asked for. On CPU, one.
   */
  static List<Device> of(Device device, int gpus) {
    if (!device.isGpu()) {
      return List.of(device);
    }
    int count = Math.max(1, Math.min(gpus, Engine.getInstance().getGpuCount()));
    List<Device> devices = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      devices.add(Device.gpu(i));
    }
    return devices;
  }

  /** A line for the log when the devices or the precision are not the plain single-device case. */
  static Optional<String> describe(
      Device requested, List<Device> devices, Precision precision, Map<String, String> env) {
    List<String> notes = new ArrayList<>();
    if (devices.size() > 1) {
      notes.add("data-parallel on " + devices.size() + " devices " + devices);
    }
    if (requested.isGpu()
        && precision == Precision.TF32
        && !"1".equals(env.get(Precision.TF32_ENVIRONMENT))) {
      notes.add(
          "precision tf32 needs "
              + Precision.TF32_ENVIRONMENT
              + "=1 in the trainer's environment (set on trainer pods by the operator); matrix"
              + " products run in full float32");
    }
    if (requested.isGpu()
        && precision == Precision.FP32
        && "1".equals(env.get(Precision.TF32_ENVIRONMENT))) {
      notes.add(
          "precision fp32, but "
              + Precision.TF32_ENVIRONMENT
              + "=1 in the environment lets matrix products use TF32");
    }
    if (precision == Precision.BF16 && !requested.isGpu()) {
      notes.add("precision bf16 on a CPU is slower than fp32; it is meant for GPUs");
    }
    return notes.isEmpty() ? Optional.empty() : Optional.of("note: " + String.join("; ", notes));
  }
}
