package io.cospress.trainer.model;

/** The shape of a model's selected output, as the manifest declares it. */
public enum OutputShape {
  /** {@code [B, T, D]}, token 0 the CLS token. */
  TOKENS,
  /** {@code [B, D]}. */
  POOLED;

  /** Dimensions of an output of this shape, the batch axis included. */
  public int dimensions() {
    return this == TOKENS ? 3 : 2;
  }
}
