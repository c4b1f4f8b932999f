package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** The student to train: exactly one of a TorchScript module or a built-in architecture. */
@Data
@ValidationRule(
    value = "has(self.model) != has(self.architecture)",
    message = "set exactly one of student.model or student.architecture")
public class StudentSpec {

  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription(
      "TorchScript file of the student; it is trained in place and written back as TorchScript.")
  private String model;

  @Pattern("^[a-f0-9]{64}$")
  @JsonPropertyDescription("Expected SHA-256 of the student file (lower-case hex).")
  private String sha256;

  @JsonPropertyDescription(
      "Which output to use when the TorchScript student returns a tuple, list or dict.")
  private String select;

  @Default("tokens")
  @JsonPropertyDescription("Shape of the student's output; must match the teacher's.")
  private ModelOutput output;

  @JsonPropertyDescription("A built-in student architecture, trained from scratch.")
  private ArchitectureSpec architecture;
}
