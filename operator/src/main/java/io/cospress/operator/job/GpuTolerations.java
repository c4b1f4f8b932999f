package io.cospress.operator.job;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/** Tolerations of the trainer pod: the run's own, plus the operator's GPU ones for GPU pods. */
final class GpuTolerations {

  static final String GPU_RESOURCE = "nvidia.com/gpu";
  static final String NO_SCHEDULE = "NoSchedule";

  private GpuTolerations() {}

  static List<Toleration> merge(List<Toleration> fromSpec, int gpus, List<Toleration> forGpus) {
    List<Toleration> tolerations = new ArrayList<>();
    if (fromSpec != null) {
      // Copies, so the Job never shares mutable objects with the run in the informer cache.
      fromSpec.forEach(t -> tolerations.add(new TolerationBuilder(t).build()));
    }
    if (gpus > 0) {
      for (Toleration gpuToleration : forGpus) {
        if (tolerations.stream().noneMatch(t -> covers(t, gpuToleration))) {
          tolerations.add(new TolerationBuilder(gpuToleration).build());
        }
      }
    }
    return tolerations;
  }

  /**
   * Whether the run's toleration already stands for {@code wanted}: a wildcard, or the same key,
   * with the same effect (an empty effect matches every effect). A run that names the key has said
   * how it tolerates that taint; a second entry would only confuse whoever reads the pod.
   */
  private static boolean covers(Toleration own, Toleration wanted) {
    boolean keyMatches =
        own.getKey() == null || own.getKey().isEmpty()
            ? "Exists".equals(own.getOperator())
            : own.getKey().equals(wanted.getKey());
    String effect = own.getEffect();
    boolean effectMatches = effect == null || effect.isEmpty() || effect.equals(wanted.getEffect());
    return keyMatches && effectMatches;
  }
}
