package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Data;

/** What to distil, from what, on which data, and how. */
@Data
@ValidationRule(
    value =
        "!has(self.student.architecture) || self.student.architecture.type != 'vit'"
            + " || self.dataset.imageSize % self.student.architecture.patchSize == 0",
    message = "must divide dataset.imageSize",
    fieldPath = ".student.architecture.patchSize")
public class DistillationRunSpec {

  /** Restarts after application errors or node loss when {@code maxRestarts} is not set. */
  public static final int DEFAULT_MAX_RESTARTS = 3;

  @Required
  @JsonPropertyDescription("The frozen teacher model whose embedding geometry the student learns.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.teacher cannot change once the run exists; create a new DistillationRun")
  private TeacherSpec teacher;

  @Required
  @JsonPropertyDescription("The student to train: a TorchScript module or a built-in architecture.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.student cannot change once the run exists; create a new DistillationRun")
  private StudentSpec student;

  @Required
  @JsonPropertyDescription("Training, validation and optional out-of-distribution images.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.dataset cannot change once the run exists; create a new DistillationRun")
  private DatasetSpec dataset;

  @JsonPropertyDescription("Optimisation recipe and CosPress objective weights.")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.training cannot change once the run exists; create a new DistillationRun")
  @Default("{}")
  private TrainingSpec training;

  @JsonPropertyDescription("How and how often the student is evaluated against the teacher.")
  @Default("{}")
  private EvaluationSpec evaluation;

  @JsonPropertyDescription("Where checkpoints are written, how often, and how many are kept.")
  @Default("{}")
  private CheckpointSpec checkpoint;

  @JsonPropertyDescription("Compute requested for the trainer pod and where it may be scheduled.")
  @Default("{}")
  private ResourcesSpec resources;

  @JsonPropertyDescription(
      "Kueue LocalQueue that admits the run; becomes the kueue.x-k8s.io/queue-name label of the"
          + " trainer Job. Empty means no queueing.")
  private String queueName;

  @Default("false")
  @JsonPropertyDescription(
      "Stop the trainer gracefully (it checkpoints first) while true; setting it back to false"
          + " resumes from the latest checkpoint.")
  private Boolean suspend;

  @Default("" + DEFAULT_MAX_RESTARTS)
  @Min(0)
  @JsonPropertyDescription(
      "Retries after application errors or node loss, each resuming from the latest checkpoint."
          + " Preemption and eviction do not use this budget.")
  private Integer maxRestarts;

  @JsonPropertyDescription(
      "Trainer container image; empty means the operator's default for the requested device.")
  private String image;
}
