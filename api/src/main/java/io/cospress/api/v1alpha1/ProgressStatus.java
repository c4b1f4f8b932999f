package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** Where training is (written by the trainer). */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {

  @JsonPropertyDescription("Completed epochs over total epochs, e.g. \"3/10\".")
  private String epochs;

  @JsonPropertyDescription("Completed epochs.")
  private Integer epoch;

  @JsonPropertyDescription("Total epochs of the run.")
  private Integer totalEpochs;

  @JsonPropertyDescription("Optimisation steps taken.")
  private Long step;

  @JsonPropertyDescription("Optimisation steps the whole run takes.")
  private Long totalSteps;

  @JsonPropertyDescription("Fraction of the run done, 0 to 1.")
  private Double fraction;

  @JsonPropertyDescription("Training throughput over the last reporting window.")
  private Double imagesPerSecond;

  @JsonPropertyDescription("Current learning rate.")
  private Double learningRate;

  @JsonPropertyDescription("Estimated seconds until the run finishes.")
  private Long etaSeconds;

  @JsonPropertyDescription("When the trainer last reported (RFC 3339).")
  private String lastUpdateTime;
}
