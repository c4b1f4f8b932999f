package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** Restarts by cause; only application errors and node loss count against maxRestarts. */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestartsStatus {

  @JsonPropertyDescription("All restarts, whatever the cause.")
  private Integer total = 0;

  @JsonPropertyDescription("Restarts after the trainer exited with an error.")
  private Integer applicationError = 0;

  @JsonPropertyDescription("Restarts after preemption or eviction (outside the budget).")
  private Integer preemption = 0;

  @JsonPropertyDescription("Restarts after the pod's node disappeared or stopped responding.")
  private Integer nodeLoss = 0;
}
