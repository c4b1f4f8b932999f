package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Data;

/** The frozen teacher. */
@Data
public class TeacherSpec {

  @Required
  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription(
      "TorchScript file of the teacher (a path; relative paths resolve against the manifest's"
          + " directory locally and against the models volume in a cluster).")
  private String model;

  @Pattern("^[a-f0-9]{64}$")
  @JsonPropertyDescription(
      "Expected SHA-256 of the teacher file (lower-case hex); checked before use.")
  private String sha256;

  @JsonPropertyDescription(
      "Which output to use when the model returns a tuple, list or dict: an index (\"0\") or a"
          + " key. Empty means the model returns a single tensor.")
  private String select;

  @Default("tokens")
  @JsonPropertyDescription(
      "Shape of the selected output: tokens [B,T,D] with token 0 the CLS token, or pooled [B,D].")
  private ModelOutput output;
}
