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
}
