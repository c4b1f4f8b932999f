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

  /**
   * The run's resources with the operator's defaults filled in: CPU and memory when the run leaves
   * them out, and for GPU pods the operator's GPU node selector (the run's labels win) and GPU
   * tolerations. A fresh object, so the run in the informer cache is never changed.
   */
  static ResourcesSpec of(DistillationRunSpec spec, TrainerDefaults defaults) {
    ResourcesSpec own = spec.getResources() != null ? spec.getResources() : new ResourcesSpec();
    ResourcesSpec effective = new ResourcesSpec();
    effective.setGpus(own.getGpus());
    effective.setCpu(own.getCpu() != null ? own.getCpu() : defaults.cpu());
    effective.setMemory(own.getMemory() != null ? own.getMemory() : defaults.memory());
    int gpus = gpus(own);
    Map<String, String> nodeSelector = new LinkedHashMap<>();
    if (gpus > 0) {
      nodeSelector.putAll(defaults.gpuNodeSelector());
    }
    if (own.getNodeSelector() != null) {
      nodeSelector.putAll(own.getNodeSelector());
    }
    effective.setNodeSelector(nodeSelector.isEmpty() ? null : nodeSelector);
    effective.setTolerations(
        GpuTolerations.merge(own.getTolerations(), gpus, defaults.gpuTolerations()));
    effective.setAffinity(own.getAffinity());
    effective.setPriorityClassName(own.getPriorityClassName());
    return effective;
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
