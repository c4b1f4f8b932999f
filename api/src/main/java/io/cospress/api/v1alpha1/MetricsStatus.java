package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;

/** Latest loss terms (running means over the last window) and evaluation results. */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsStatus {

  @JsonPropertyDescription("Weighted total CosPress loss.")
  private Double loss;

  @JsonPropertyDescription("Local SNE term (patch neighbourhoods).")
  private Double localLoss;

  @JsonPropertyDescription("Global SNE term (CLS tokens across the batch).")
  private Double globalLoss;

  @JsonPropertyDescription("Flattened-feature cosine term.")
  private Double featureLoss;

  @JsonPropertyDescription("CLS-token cosine term.")
  private Double tokenLoss;

  @JsonPropertyDescription("Weighted kNN top-1 accuracy of the student on the validation split.")
  private Double studentKnnAccuracy;

  @JsonPropertyDescription("Weighted kNN top-1 accuracy of the teacher on the same split.")
  private Double teacherKnnAccuracy;

  @JsonPropertyDescription("Fraction of validation images where student and teacher kNN agree.")
  private Double agreement;

  @JsonPropertyDescription("OOD detection AUROC of the student (in-distribution positive).")
  private Double oodAuroc;

  @JsonPropertyDescription(
      "False-positive rate at 95% true-positive rate of the student's OOD score.")
  private Double oodFpr95;

  @JsonPropertyDescription(
      "Mean absolute difference of teacher and student pairwise cosine similarities (lower is better).")
  private Double similarityMae;

  @JsonPropertyDescription(
      "Spearman correlation of teacher and student pairwise cosine similarities.")
  private Double similaritySpearman;

  @JsonPropertyDescription("Epoch the evaluation results belong to.")
  private Integer evaluatedEpoch;
}
