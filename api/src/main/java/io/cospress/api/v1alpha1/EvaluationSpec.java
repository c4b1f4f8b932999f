package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import lombok.Data;

/** Evaluation schedule and kNN monitor settings. */
@Data
public class EvaluationSpec {

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Evaluate every this many epochs (and always after the last one).")
  private Integer intervalEpochs;

  @Default("200")
  @Min(1)
  @JsonPropertyDescription("Neighbours the weighted kNN classifier votes with.")
  private Integer knnK;

  @Default("0.1")
  @Min(value = 0.0, inclusive = false)
  @JsonPropertyDescription("Temperature of the kNN vote weights exp(similarity / T).")
  private Double knnTemperature;

  @Default("10000")
  @Min(1)
  @JsonPropertyDescription("Training images embedded as the kNN memory bank (a seeded subset).")
  private Integer bankSize;

  @Default("256")
  @Min(2)
  @JsonPropertyDescription(
      "Validation images whose pairwise cosine similarities are compared (similarity preservation).")
  private Integer similaritySampleSize;
}
