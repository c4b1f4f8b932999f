package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import lombok.Data;

/** The four λ weights of the CosPress objective. */
@Data
public class LossWeightsSpec {

  @Default("1.0")
  @Min(0.0)
  @JsonPropertyDescription("Weight of the local SNE term (patch neighbourhoods within an image).")
  private Double local;

  @Default("1.0")
  @Min(0.0)
  @JsonPropertyDescription("Weight of the global SNE term (CLS tokens across the batch).")
  private Double global;

  @Default("1.0")
  @Min(0.0)
  @JsonPropertyDescription("Weight of the flattened-feature cosine term.")
  private Double feature;

  @Default("1.0")
  @Min(0.0)
  @JsonPropertyDescription("Weight of the CLS-token cosine term.")
  private Double token;
}
