package io.cospress.operator.job;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Operator-wide settings for trainer pods that a run does not specify itself. The Helm chart sets
 * them once per install, so a platform team sizes and places runs without editing each manifest.
 *
 * @param cpuImage image for runs with no GPUs and no {@code spec.image}
 * @param gpuImage image for runs with GPUs and no {@code spec.image}; carries the CUDA libtorch
 * @param imagePullPolicy pull policy of the trainer container
 * @param cpu CPU request and limit of a run without {@code spec.resources.cpu}
 * @param memory memory request and limit of a run without {@code spec.resources.memory}
 * @param gpuNodeSelector node labels every GPU pod must match, beneath the run's own
 * @param gpuTolerations tolerations every GPU pod gets, beside the run's own
 */
public record TrainerDefaults(
    String cpuImage,
    String gpuImage,
    String imagePullPolicy,
    String cpu,
    String memory,
    Map<String, String> gpuNodeSelector,
    List<Toleration> gpuTolerations) {

  public static final String DEFAULT_CPU_IMAGE = "cospress/trainer:0.1.0";
  public static final String DEFAULT_GPU_IMAGE = "cospress/trainer:0.1.0-cuda";
  public static final String DEFAULT_IMAGE_PULL_POLICY = "IfNotPresent";
  public static final String DEFAULT_CPU = "2";
  public static final String DEFAULT_MEMORY = "8Gi";

  /**
   * GPU node pools are usually tainted {@code nvidia.com/gpu:NoSchedule} (by cloud providers and
   * the NVIDIA GPU operator) so that CPU workloads stay off them; a GPU pod has to tolerate that.
   */
  public static final List<Toleration> DEFAULT_GPU_TOLERATIONS =
      List.of(
          new TolerationBuilder()
              .withKey(GpuTolerations.GPU_RESOURCE)
              .withOperator("Exists")
              .withEffect(GpuTolerations.NO_SCHEDULE)
              .build());

  public TrainerDefaults {
    requireNonBlank(cpuImage, "cpuImage");
    requireNonBlank(gpuImage, "gpuImage");
    requireNonBlank(imagePullPolicy, "imagePullPolicy");
    requireNonBlank(cpu, "cpu");
    requireNonBlank(memory, "memory");
    gpuNodeSelector = Map.copyOf(Objects.requireNonNull(gpuNodeSelector, "gpuNodeSelector"));
    gpuTolerations = List.copyOf(Objects.requireNonNull(gpuTolerations, "gpuTolerations"));
  }

  /** Other images, with the standard sizes and GPU placement. */
  public TrainerDefaults(String cpuImage, String gpuImage, String imagePullPolicy) {
    this(
        cpuImage,
        gpuImage,
        imagePullPolicy,
        DEFAULT_CPU,
        DEFAULT_MEMORY,
        Map.of(),
        DEFAULT_GPU_TOLERATIONS);
  }

  /** The images this operator version was released with. */
  public static TrainerDefaults standard() {
    return new TrainerDefaults(DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE, DEFAULT_IMAGE_PULL_POLICY);
  }

  /** The default image for a pod with {@code gpus} GPUs. */
  public String imageFor(int gpus) {
    return gpus > 0 ? gpuImage : cpuImage;
  }

  private static void requireNonBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
