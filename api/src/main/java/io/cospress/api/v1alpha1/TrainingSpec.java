package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** Optimisation recipe and objective. */
@Data
public class TrainingSpec {

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("Passes over the training split.")
  private Integer epochs;

  @Default("1024")
  @Min(2)
  @JsonPropertyDescription(
      "Images per optimisation step (the global batch); at least 2 so the global term has pairs.")
  private Integer batchSize;

  @Default("{}")
  @JsonPropertyDescription("AdamW and learning-rate schedule.")
  private OptimizerSpec optimizer;

  @Default("[0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10]")
  @Size(min = 1, max = 64)
  @ValidationRule(value = "self.all(t, t > 0.0)", message = "every temperature must be > 0")
  @JsonPropertyDescription("SNE temperatures the local and global terms average over.")
  private List<Double> temperatures;

  @Default("{}")
  @JsonPropertyDescription("λ weights of the four loss terms.")
  private LossWeightsSpec lossWeights;

  @Default("false")
  @JsonPropertyDescription(
      "Distil only the pooled/CLS embedding (global and token terms); allows teacher and student"
          + " token grids to differ.")
  private Boolean pooledOnly;

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Seed for initialisation, data order and augmentation.")
  private Long seed;

  /**
   * How the step computes. The default, tf32, is the fastest setting whose results stay within the
   * float32 parity tolerances: on a CPU it is exactly fp32; on an NVIDIA GPU only matrix products
   * use TF32 tensor cores. bf16 is faster still on GPUs but moves the loss by up to about 1 %
   * (docs/gpu.md), so it is asked for, not assumed; on a CPU it is slower than fp32.
   */
  @Default("tf32")
  @JsonPropertyDescription(
      "Number format of the step: fp32; tf32 (the default: float32 with TF32 matrix products on"
          + " NVIDIA GPUs, exactly fp32 on CPUs); or bf16 (teacher and student in bfloat16 with"
          + " float32 master weights, optimizer state and loss; for GPUs, slower on CPUs)."
          + " Checkpoints hold float32 weights either way, so it may change between resumes.")
  private Precision precision;
}
