package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to checkpoints when the run is deleted. */
public enum RetentionPolicy {
  @JsonProperty("Retain")
  RETAIN,
  @JsonProperty("Delete")
  DELETE
}
