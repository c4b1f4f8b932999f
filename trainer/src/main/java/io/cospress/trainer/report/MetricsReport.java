package io.cospress.trainer.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cospress.trainer.loss.LossValues;

/**
 * The latest loss terms and the latest evaluation: the {@code metrics} of a report, with the field
 * names and meaning of the run's {@code status.metrics} (docs/evaluation.md). Absent values are
 * null: no step taken yet, no evaluation yet, no OOD split, or a similarity correlation that is
 * undefined.
 *
 * @param evaluatedEpoch the epoch the evaluation results belong to
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricsReport(
    Double loss,
    Double localLoss,
    Double globalLoss,
    Double featureLoss,
    Double tokenLoss,
    Double studentKnnAccuracy,
    Double teacherKnnAccuracy,
    Double agreement,
    Double oodAuroc,
    Double oodFpr95,
    Double similarityMae,
    Double similaritySpearman,
    Integer evaluatedEpoch) {

  /** Nothing measured yet. */
  public static final MetricsReport NONE =
      new MetricsReport(
          null, null, null, null, null, null, null, null, null, null, null, null, null);

  /** An evaluation's results, without loss terms. */
  public static MetricsReport evaluation(
      int epoch,
      double studentKnnAccuracy,
      double teacherKnnAccuracy,
      double agreement,
      Double oodAuroc,
      Double oodFpr95,
      double similarityMae,
      Double similaritySpearman) {
    return new MetricsReport(
        null,
        null,
        null,
        null,
        null,
        studentKnnAccuracy,
        teacherKnnAccuracy,
        agreement,
        oodAuroc,
        oodFpr95,
        similarityMae,
        similaritySpearman,
        epoch);
  }

  /** These results with the loss terms of a step. */
  public MetricsReport withLoss(LossValues values) {
    return new MetricsReport(
        values.total(),
        values.local(),
        values.global(),
        values.feature(),
        values.token(),
        studentKnnAccuracy,
        teacherKnnAccuracy,
        agreement,
        oodAuroc,
        oodFpr95,
        similarityMae,
        similaritySpearman,
        evaluatedEpoch);
  }

  /** {@code evaluation}'s results with these loss terms. */
  public MetricsReport withEvaluation(MetricsReport evaluation) {
    return new MetricsReport(
        loss,
        localLoss,
        globalLoss,
        featureLoss,
        tokenLoss,
        evaluation.studentKnnAccuracy,
        evaluation.teacherKnnAccuracy,
        evaluation.agreement,
        evaluation.oodAuroc,
        evaluation.oodFpr95,
        evaluation.similarityMae,
        evaluation.similaritySpearman,
        evaluation.evaluatedEpoch);
  }
}
