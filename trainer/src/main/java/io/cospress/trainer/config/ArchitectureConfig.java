package io.cospress.trainer.config;

import java.util.Objects;

/**
 * A built-in student network with its defaults filled in.
 *
 * @param outputDim width of a ResNet's output embedding, or null for its last stage's width
 */
public record ArchitectureConfig(
    Family family,
    int patchSize,
    int width,
    int depth,
    int heads,
    int mlpRatio,
    Integer outputDim) {

  /** The built-in families. */
  public enum Family {
    /** Tokens {@code [B, T, D]}: one CLS token plus one per patch. */
    VIT,
    /** Pooled {@code [B, D]}. */
    RESNET
  }

  public ArchitectureConfig {
    Objects.requireNonNull(family, "family");
  }
}
