package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** A built-in student network. */
@Data
@ValidationRule(
    value = "self.type != 'vit' || self.width % self.heads == 0",
    message = "must be divisible by architecture.heads",
    fieldPath = ".width")
public class ArchitectureSpec {

  /** Built-in families. */
  public enum Type {
    @JsonProperty("vit")
    VIT,
    @JsonProperty("resnet")
    RESNET
  }

  @Required
  @JsonPropertyDescription(
      "Family: vit (tokens [B,T,D], one CLS token plus one per patch) or resnet (pooled [B,D]).")
  private Type type;

  @Default("16")
  @Min(1)
  @Max(64)
  @JsonPropertyDescription("ViT patch size in pixels; the image size must be a multiple of it.")
  private Integer patchSize;

  @Default("192")
  @Min(8)
  @Max(8192)
  @JsonPropertyDescription("Embedding width D of the student (ViT) or of its first stage (ResNet).")
  private Integer width;

  @Default("12")
  @Min(1)
  @Max(64)
  @JsonPropertyDescription(
      "Number of transformer blocks (ViT) or residual blocks per stage (ResNet).")
  private Integer depth;

  @Default("3")
  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Attention heads per block (ViT only).")
  private Integer heads;

  @Default("4")
  @Min(1)
  @Max(16)
  @JsonPropertyDescription("Hidden width of the ViT MLP as a multiple of the embedding width.")
  private Integer mlpRatio;

  @Min(8)
  @Max(8192)
  @JsonPropertyDescription(
      "Width of the output embedding (ResNet only; ViT outputs its embedding width).")
  private Integer outputDim;
}
