package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Data;

/** One split of a dataset. */
@Data
public class SplitSpec {

  @Required
  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription(
      "IDX: the images file. imageFolder: the directory holding one sub-directory per class.")
  private String path;

  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription("IDX only: the labels file.")
  private String labels;

  @Pattern("^[a-f0-9]{64}$")
  @JsonPropertyDescription("Expected SHA-256 of the images file (IDX only).")
  private String sha256;

  @Min(1)
  @JsonPropertyDescription("Use at most this many images (a seeded, class-stratified subset).")
  private Integer limit;
}
