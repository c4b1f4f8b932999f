package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** On-disk layout of a dataset split. */
public enum DatasetFormat {
  /** MNIST-style IDX files (images idx3, labels idx1), gzipped or not. */
  @JsonProperty("idx")
  IDX,
  /** One sub-directory per class holding JPEG or PNG files; classes sorted by name. */
  @JsonProperty("imageFolder")
  IMAGE_FOLDER
}
