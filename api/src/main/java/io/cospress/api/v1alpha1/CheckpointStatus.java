package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** The checkpoints a restart would resume from. */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointStatus {

  @JsonPropertyDescription("Directory name of the latest complete checkpoint.")
  private String latest;

  @JsonPropertyDescription("Epoch of the latest checkpoint.")
  private Integer epoch;

  @JsonPropertyDescription("Step of the latest checkpoint.")
  private Long step;

  @JsonPropertyDescription("When the latest checkpoint was written (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Directory name of the checkpoint with the best student kNN accuracy.")
  private String best;

  @JsonPropertyDescription("Student kNN accuracy of the best checkpoint.")
  private Double bestKnnAccuracy;
}
