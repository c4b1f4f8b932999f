package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.Data;

/** AdamW with linear warm-up then cosine decay. */
@Data
public class OptimizerSpec {

  @Default("5e-4")
  @Min(value = 0.0, inclusive = false)
  @JsonPropertyDescription("Peak learning rate, reached at the end of warm-up.")
  private Double learningRate;

  @Default("1e-6")
  @Min(0.0)
  @JsonPropertyDescription("Final learning rate at the end of the cosine decay.")
  private Double minLearningRate;

  @Default("0.05")
  @Min(0.0)
  @JsonPropertyDescription("Decoupled weight decay (AdamW).")
  private Double weightDecay;

  @Default("0.9")
  @Min(0.0)
  @Max(value = 1.0, inclusive = false)
  @JsonPropertyDescription("AdamW first-moment decay.")
  private Double beta1;

  @Default("0.999")
  @Min(0.0)
  @Max(value = 1.0, inclusive = false)
  @JsonPropertyDescription("AdamW second-moment decay.")
  private Double beta2;

  @Default("1e-8")
  @Min(value = 0.0, inclusive = false)
  @JsonPropertyDescription("AdamW denominator epsilon.")
  private Double epsilon;

  @Default("5.0")
  @Min(0.0)
  @JsonPropertyDescription("Epochs of linear warm-up from zero to the peak learning rate.")
  private Double warmupEpochs;

  @Min(value = 0.0, inclusive = false)
  @JsonPropertyDescription(
      "Clip the global gradient L2 norm to this value; unset means no clipping.")
  private Double gradientClipNorm;
}
