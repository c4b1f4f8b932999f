package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

/**
 * Observed state. Two writers share it and never overwrite each other (docs/status-model.md): the
 * operator owns phase, conditions, observedGeneration, restarts, the attempt fields and
 * announcedCheckpoint; the trainer owns progress, metrics and checkpoint.
 */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DistillationRunStatus {

  @JsonPropertyDescription("Pending, Queued, Running, Succeeded, Failed or Suspended (operator).")
  private RunPhase phase;

  @JsonPropertyDescription(
      "Ready, Reconciling and Stalled (read by Argo CD and kstatus) plus domain conditions such as"
          + " Scheduled, Training and CheckpointSaved (operator).")
  private List<Condition> conditions = new ArrayList<>();

  // 0 until the operator writes it (the CRD defaults status to {}), so tools that compare it with
  // metadata.generation (kstatus, Argo CD) see a new run as not yet observed.
  @Default("0")
  @JsonPropertyDescription(
      "metadata.generation of the spec the operator last acted on; 0 until it first saw the run.")
  private Long observedGeneration;

  @JsonPropertyDescription("Machine-readable reason for the current phase (operator).")
  private String reason;

  @JsonPropertyDescription("Human-readable explanation of the current phase (operator).")
  private String message;

  @JsonPropertyDescription("Trainer attempt now running or last run, starting at 1 (operator).")
  private Integer attempt;

  @JsonPropertyDescription("Name of the batch/v1 Job of the current attempt (operator).")
  private String jobName;

  @JsonPropertyDescription("Restarts so far, by cause (operator).")
  private RestartsStatus restarts;

  @JsonPropertyDescription(
      "The trainer's latest checkpoint as the operator last announced it with a CheckpointSaved"
          + " event, so each checkpoint is announced once (operator).")
  private String announcedCheckpoint;

  @JsonPropertyDescription("Training progress (trainer).")
  private ProgressStatus progress;

  @JsonPropertyDescription("Latest loss terms and evaluation results (trainer).")
  private MetricsStatus metrics;

  @JsonPropertyDescription("Latest and best checkpoint (trainer).")
  private CheckpointStatus checkpoint;
}
