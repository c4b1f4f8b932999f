package io.cospress.operator.job;

import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.ResourcesSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compute of the trainer container. Requests equal limits so the pod gets the Guaranteed QoS class:
 * it is the last to be evicted under node pressure, and a CPU limit that is also the request makes
 * the thread pools sized from it ({@link TrainerJvmOptions}) match what the pod really gets.
 */
final class TrainerResources {

  static final String CPU_FIELD = "spec.resources.cpu";
  static final String MEMORY_FIELD = "spec.resources.memory";

  private TrainerResources() {}

  /** The run's resources, with the API defaults when the spec leaves them out. */
  static ResourcesSpec of(DistillationRunSpec spec) {
    return spec.getResources() != null ? spec.getResources() : new ResourcesSpec();
  }

  static int gpus(ResourcesSpec resources) {
    Integer gpus = resources.getGpus();
    return gpus == null ? 0 : gpus;
  }

  static Quantity cpu(ResourcesSpec resources) {
    return RunQuantities.positive(CPU_FIELD, resources.getCpu());
  }

  static Quantity memory(ResourcesSpec resources) {
    return RunQuantities.positive(MEMORY_FIELD, resources.getMemory());
  }

  static ResourceRequirements requirements(ResourcesSpec resources) {
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    amounts.put("cpu", cpu(resources));
    amounts.put("memory", memory(resources));
    int gpus = gpus(resources);
    if (gpus > 0) {
      // Extended resources cannot be overcommitted: a GPU request, if given, must equal the limit.
      amounts.put(GpuTolerations.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
    }
    return new ResourceRequirementsBuilder()
        .withRequests(new LinkedHashMap<>(amounts))
        .withLimits(new LinkedHashMap<>(amounts))
        .build();
  }
}
