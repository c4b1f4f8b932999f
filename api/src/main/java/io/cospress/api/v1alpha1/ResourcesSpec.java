package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import lombok.Data;

/** Compute for the trainer pod and where it may run. */
@Data
public class ResourcesSpec {

  /** Kubernetes quantity syntax (the same expression the core API publishes). */
  static final String QUANTITY = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("NVIDIA GPUs (nvidia.com/gpu) per trainer pod; 0 trains on CPU.")
  private Integer gpus;

  // No schema default: the operator fills in its install-wide default (the chart's
  // trainer.resources), so a platform team can size runs that do not say without editing them.
  @Pattern(QUANTITY)
  @JsonPropertyDescription(
      "CPU request and limit, e.g. \"4\" or \"3500m\"; also sizes the JVM thread pools."
          + " Defaults to the operator's setting (2 unless the chart changes it).")
  private String cpu;

  @Pattern(QUANTITY)
  @JsonPropertyDescription(
      "Memory request and limit, e.g. \"16Gi\". Defaults to the operator's setting (8Gi unless"
          + " the chart changes it).")
  private String memory;

  @JsonPropertyDescription(
      "Node labels the trainer pod must match; for gpus > 0 they are added to the operator's GPU"
          + " node selector.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription(
      "Tolerations of the trainer pod; for gpus > 0 the operator's GPU tolerations are added"
          + " (nvidia.com/gpu:NoSchedule unless the chart changes it).")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity rules for the trainer pod.")
  private Affinity affinity;

  @JsonPropertyDescription("PriorityClass of the trainer pod (lower classes may be preempted).")
  private String priorityClassName;
}
