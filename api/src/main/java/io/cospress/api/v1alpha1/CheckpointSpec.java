package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** Checkpointing: every N epochs, at the end, and on SIGTERM. */
@Data
public class CheckpointSpec {

  @Default("checkpoints")
  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription(
      "Directory for everything the run writes: its checkpoints (ckpt-*), status.json and the"
          + " final student (final/); locally relative to --output, in a cluster on the checkpoint"
          + " volume. A run whose directory holds checkpoints resumes from them; retentionPolicy"
          + " Delete removes the whole directory, final/ included.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.checkpoint.path cannot change once the run exists")
  private String path;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("Write a checkpoint every this many epochs.")
  private Integer intervalEpochs;

  @Default("3")
  @Min(1)
  @JsonPropertyDescription("Keep this many most recent checkpoints (the best one is kept as well).")
  private Integer keep;

  @JsonPropertyDescription("PersistentVolumeClaim that holds checkpoints in a cluster.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.checkpoint.claimName cannot change once the run exists")
  private String claimName;

  @Default("Retain")
  @JsonPropertyDescription(
      "Keep (Retain) or remove (Delete) the run's checkpoint directory on the claim when the run"
          + " is deleted; Delete runs a cleanup Job before the run goes.")
  private RetentionPolicy retentionPolicy;
}
