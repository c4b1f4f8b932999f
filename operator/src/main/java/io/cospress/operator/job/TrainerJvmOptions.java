package io.cospress.operator.job;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.RoundingMode;

/** The {@code JAVA_TOOL_OPTIONS} of the trainer container. */
final class TrainerJvmOptions {

  /**
   * libtorch allocates tensors, weights and its workspace off the Java heap but inside the same
   * container memory limit. Capping the heap at half the limit keeps a growing heap (decoded image
   * batches) from pushing the native side over the limit and getting the pod OOM-killed.
   */
  static final String HEAP_CAP = "-XX:MaxRAMPercentage=50";

  private TrainerJvmOptions() {}

  /**
   * Intra-op threads for libtorch: the whole CPUs in the limit, at least one. A fractional CPU
   * cannot run a thread of its own, and more threads than the CFS quota allows only adds
   * throttling.
   */
  static int threadsForCpu(Quantity cpuLimit) {
    int whole = cpuLimit.getNumericalAmount().setScale(0, RoundingMode.FLOOR).intValueExact();
    return Math.max(1, whole);
  }

  static String forCpu(Quantity cpuLimit) {
    return String.join(
        " ",
        HEAP_CAP,
        // The root filesystem is read-only; /tmp is an emptyDir.
        "-Djava.io.tmpdir=" + TrainerPaths.TMP_DIR,
        "-Dai.djl.pytorch.num_threads=" + threadsForCpu(cpuLimit),
        // Inter-op parallelism only helps graphs with independent branches; one thread avoids
        // oversubscribing the CPU limit together with the intra-op pool.
        "-Dai.djl.pytorch.num_interop_threads=1");
  }
}
