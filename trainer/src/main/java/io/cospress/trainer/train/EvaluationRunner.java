package io.cospress.trainer.train;

import ai.djl.ndarray.NDArray;
import io.cospress.trainer.config.EvaluationConfig;
import io.cospress.trainer.data.ImageSource;
import io.cospress.trainer.eval.OodDetection;
import io.cospress.trainer.eval.OodReport;
import io.cospress.trainer.eval.SimilarityPreservation;
import io.cospress.trainer.eval.SimilarityPreservationReport;
import io.cospress.trainer.eval.WeightedKnnClassifier;
import io.cospress.trainer.report.MetricsReport;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * docs/evaluation.md: weighted kNN of student and teacher, their agreement, OOD detection and
 * similarity preservation. The teacher is frozen, so its embeddings are computed once per run.
 */
final class EvaluationRunner {

  private final Embedder embedder;
  private final EvaluationConfig spec;
  private final ImageSource bank;
  private final ImageSource validation;
  private final ImageSource ood;
  private final int numClasses;
  private float[][] teacherValidation;
  private Double teacherAccuracy;
  private int[] teacherPredictions;

  EvaluationRunner(
      Embedder embedder,
      EvaluationConfig spec,
      ImageSource bank,
      ImageSource validation,
      ImageSource ood) {
    this.embedder = embedder;
    this.spec = spec;
    this.bank = bank;
    this.validation = validation;
    this.ood = ood;
    this.numClasses = Math.max(bank.numClasses(), validation == null ? 0 : validation.numClasses());
  }

  boolean enabled() {
    return validation != null;
  }

  /** The results of the current student at the end of {@code epoch} epochs. */
  MetricsReport evaluate(
      int epoch, Function<NDArray, NDArray> teacher, Function<NDArray, NDArray> student) {
    int[] bankLabels = labels(bank);
    int[] validationLabels = labels(validation);
    if (teacherValidation == null) {
      float[][] teacherBank = embedder.embed(bank, teacher);
      teacherValidation = embedder.embed(validation, teacher);
      teacherPredictions = knn(teacherBank, bankLabels).predict(teacherValidation);
      teacherAccuracy = WeightedKnnClassifier.accuracy(teacherPredictions, validationLabels);
    }
    float[][] studentBank = embedder.embed(bank, student);
    float[][] studentValidation = embedder.embed(validation, student);
    int[] studentPredictions = knn(studentBank, bankLabels).predict(studentValidation);

    int sample = Math.min(spec.similaritySampleSize(), studentValidation.length);
    SimilarityPreservationReport similarity =
        SimilarityPreservation.compare(
            Arrays.copyOf(teacherValidation, sample), Arrays.copyOf(studentValidation, sample));
    OodReport oodReport =
        ood == null
            ? null
            : OodDetection.evaluate(studentBank, studentValidation, embedder.embed(ood, student));
    return MetricsReport.evaluation(
        epoch,
        WeightedKnnClassifier.accuracy(studentPredictions, validationLabels),
        teacherAccuracy,
        WeightedKnnClassifier.agreement(studentPredictions, teacherPredictions),
        oodReport == null ? null : oodReport.auroc(),
        oodReport == null ? null : oodReport.fpr95(),
        similarity.meanAbsoluteError(),
        finiteOrNull(similarity.spearman()));
  }

  /** The log line of one evaluation. */
  static String summary(int epoch, MetricsReport result) {
    return String.format(
        Locale.ROOT,
        "epoch %d: student kNN %.4f, teacher kNN %.4f, agreement %.4f, similarity MAE %.4f"
            + " (Spearman %s)%s",
        epoch,
        result.studentKnnAccuracy(),
        result.teacherKnnAccuracy(),
        result.agreement(),
        result.similarityMae(),
        result.similaritySpearman() == null
            ? "n/a"
            : String.format(Locale.ROOT, "%.4f", result.similaritySpearman()),
        result.oodAuroc() == null
            ? ""
            : String.format(
                Locale.ROOT, ", OOD AUROC %.4f FPR@95 %.4f", result.oodAuroc(), result.oodFpr95()));
  }

  /** NaN (e.g. a constant similarity matrix) has no JSON form; absent is the honest value. */
  private static Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private WeightedKnnClassifier knn(float[][] embeddings, int[] labels) {
    return new WeightedKnnClassifier(
        embeddings, labels, numClasses, spec.knnK(), spec.knnTemperature());
  }

  private static int[] labels(ImageSource source) {
    int[] labels = new int[source.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = source.label(i);
    }
    return labels;
  }
}
