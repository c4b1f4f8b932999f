package io.cospress.operator.job;

import java.util.Objects;

/**
 * Operator-wide settings for trainer pods that a run does not specify itself.
 *
 * @param cpuImage image for runs with no GPUs and no {@code spec.image}
 * @param gpuImage image for runs with GPUs and no {@code spec.image}; carries the CUDA libtorch
 * @param imagePullPolicy pull policy of the trainer container
 */
public record TrainerDefaults(String cpuImage, String gpuImage, String imagePullPolicy) {

  public static final String DEFAULT_CPU_IMAGE = "cospress/trainer:0.1.0";
  public static final String DEFAULT_GPU_IMAGE = "cospress/trainer:0.1.0-cuda";
  public static final String DEFAULT_IMAGE_PULL_POLICY = "IfNotPresent";

  public TrainerDefaults {
    requireNonBlank(cpuImage, "cpuImage");
    requireNonBlank(gpuImage, "gpuImage");
    requireNonBlank(imagePullPolicy, "imagePullPolicy");
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
