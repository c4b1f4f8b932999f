package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Shape of the embedding a model hands to the objective. */
public enum ModelOutput {
  /** {@code [B, T, D]}: token 0 is the CLS/global token, the others are patch tokens. */
  @JsonProperty("tokens")
  TOKENS,
  /** {@code [B, D]}: one pooled embedding per image; only the global and token terms apply. */
  @JsonProperty("pooled")
  POOLED
}
