package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.Data;

/** Training-time augmentations; evaluation never augments. */
@Data
public class AugmentationSpec {

  @Default("true")
  @JsonPropertyDescription("Apply the augmentations below to training images.")
  private Boolean enabled;

  @Default("0.5")
  @Min(value = 0.0, inclusive = false)
  @Max(1.0)
  @JsonPropertyDescription(
      "Random resized crop: smallest crop area as a fraction of the image (1 disables cropping).")
  private Double cropScaleMin;

  @Default("true")
  @JsonPropertyDescription("Flip images horizontally with probability 0.5.")
  private Boolean horizontalFlip;

  @Default("0.2")
  @Min(0.0)
  @Max(1.0)
  @JsonPropertyDescription(
      "Colour jitter strength: brightness, contrast and saturation vary by up to this fraction.")
  private Double colorJitter;
}
