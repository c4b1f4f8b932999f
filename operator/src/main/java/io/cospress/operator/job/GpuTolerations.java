package io.cospress.operator.job;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Tolerations of the trainer pod: the run's own, plus the one GPU nodes commonly need. GPU node
 * pools are usually tainted {@code nvidia.com/gpu:NoSchedule} (by cloud providers and the NVIDIA
 * GPU operator) so that CPU workloads stay off them; a GPU pod has to tolerate that taint.
 */
final class GpuTolerations {

  static final String GPU_RESOURCE = "nvidia.com/gpu";
  static final String NO_SCHEDULE = "NoSchedule";

  private GpuTolerations() {}

  static List<Toleration> merge(List<Toleration> fromSpec, int gpus) {
    List<Toleration> tolerations = new ArrayList<>();
    if (fromSpec != null) {
      // Copies, so the Job never shares mutable objects with the run in the informer cache.
      fromSpec.forEach(t -> tolerations.add(new TolerationBuilder(t).build()));
    }
    if (gpus > 0 && tolerations.stream().noneMatch(GpuTolerations::coversGpuTaint)) {
      tolerations.add(
          new TolerationBuilder()
              .withKey(GPU_RESOURCE)
              .withOperator("Exists")
              .withEffect(NO_SCHEDULE)
              .build());
    }
    return tolerations;
  }

  /** Whether the user already tolerates the GPU taint (an empty effect matches every effect). */
  private static boolean coversGpuTaint(Toleration toleration) {
    String effect = toleration.getEffect();
    boolean effectMatches = effect == null || effect.isEmpty() || NO_SCHEDULE.equals(effect);
    return GPU_RESOURCE.equals(toleration.getKey()) && effectMatches;
  }
}
