package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Data;

/** Images the run trains and evaluates on. */
@Data
@ValidationRule(
    value = "!has(self.mean) || size(self.mean) == self.channels",
    message = "needs one value per channel (dataset.channels)",
    fieldPath = ".mean")
@ValidationRule(
    value = "!has(self.std) || size(self.std) == self.channels",
    message = "needs one value per channel (dataset.channels)",
    fieldPath = ".std")
// IDX keeps labels in a file of their own; OOD scoring never reads labels, so ood needs none.
@ValidationRule(
    value = "self.format != 'idx' || has(self.train.labels)",
    message = "required for the idx format",
    fieldPath = ".train.labels")
@ValidationRule(
    value = "self.format != 'idx' || !has(self.validation) || has(self.validation.labels)",
    message = "required for the idx format",
    fieldPath = ".validation.labels")
public class DatasetSpec {

  @Required
  @JsonPropertyDescription("File layout: idx (MNIST-style) or imageFolder (class sub-directories).")
  private DatasetFormat format;

  @Required
  @JsonPropertyDescription("Images the student is trained on; also the kNN memory bank.")
  private SplitSpec train;

  @JsonPropertyDescription("Held-out images for kNN accuracy and similarity preservation.")
  private SplitSpec validation;

  @JsonPropertyDescription("Out-of-distribution images for OOD AUROC and FPR@95.")
  private SplitSpec ood;

  @Default("224")
  @Min(8)
  @Max(1024)
  @JsonPropertyDescription("Side length in pixels the models see (images are resized to it).")
  private Integer imageSize;

  @Default("3")
  @Min(1)
  @Max(3)
  @ValidationRule(value = "self == 1 || self == 3", message = "must be 1 (grayscale) or 3 (RGB)")
  @JsonPropertyDescription("Channels the models take: 1 (grayscale) or 3 (RGB).")
  private Integer channels;

  @Size(min = 1, max = 3)
  @JsonPropertyDescription("Per-channel mean subtracted after scaling pixels to [0,1].")
  private List<Double> mean;

  @Size(min = 1, max = 3)
  @ValidationRule(value = "self.all(s, s > 0.0)", message = "every value must be > 0")
  @JsonPropertyDescription("Per-channel standard deviation divided out after the mean.")
  private List<Double> std;

  @Default("{}")
  @JsonPropertyDescription("Training-time augmentations.")
  private AugmentationSpec augmentation;
}
