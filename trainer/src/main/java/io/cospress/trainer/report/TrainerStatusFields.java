package io.cospress.trainer.report;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;

/**
 * A report as the fields of the run's status that the trainer owns ({@code progress}, {@code
 * metrics}, {@code checkpoint}; docs/status-model.md) and nothing else: the one place where the
 * trainer's reports meet the CR model.
 *
 * <p>A part with nothing in it is left out, never sent as an empty object. The status is written by
 * server-side apply: applying {@code metrics: {}} after an apply that set {@code metrics.loss} (a
 * retry resuming from a checkpoint has measured nothing yet) removes the fields this manager set
 * before and leaves the API server holding {@code metrics: null}, which the CRD rejects (HTTP 422,
 * "must be of type object"), and the whole report with it. Leaving the part out removes the
 * trainer's old values as well, the field with them.
 */
final class TrainerStatusFields {

  private TrainerStatusFields() {}

  static DistillationRunStatus of(TrainerReport report) {
    DistillationRunStatus status = new DistillationRunStatus();
    status.setConditions(null); // the operator's; an empty list would claim and clear them
    status.setProgress(unlessEmpty(progress(report.progress()), new ProgressStatus()));
    status.setMetrics(unlessEmpty(metrics(report.metrics()), new MetricsStatus()));
    status.setCheckpoint(unlessEmpty(checkpoint(report.checkpoint()), new CheckpointStatus()));
    return status;
  }

  private static <T> T unlessEmpty(T part, T empty) {
    return empty.equals(part) ? null : part;
  }

  static ProgressStatus progress(ProgressReport p) {
    if (p == null) {
      return null;
    }
    ProgressStatus s = new ProgressStatus();
    s.setEpochs(p.epochs());
    s.setEpoch(p.epoch());
    s.setTotalEpochs(p.totalEpochs());
    s.setStep(p.step());
    s.setTotalSteps(p.totalSteps());
    s.setFraction(p.fraction());
    s.setImagesPerSecond(p.imagesPerSecond());
    s.setLearningRate(p.learningRate());
    s.setEtaSeconds(p.etaSeconds());
    s.setLastUpdateTime(p.lastUpdateTime());
    return s;
  }

  static MetricsStatus metrics(MetricsReport m) {
    if (m == null) {
      return null;
    }
    MetricsStatus s = new MetricsStatus();
    s.setLoss(m.loss());
    s.setLocalLoss(m.localLoss());
    s.setGlobalLoss(m.globalLoss());
    s.setFeatureLoss(m.featureLoss());
    s.setTokenLoss(m.tokenLoss());
    s.setStudentKnnAccuracy(m.studentKnnAccuracy());
    s.setTeacherKnnAccuracy(m.teacherKnnAccuracy());
    s.setAgreement(m.agreement());
    s.setOodAuroc(m.oodAuroc());
    s.setOodFpr95(m.oodFpr95());
    s.setSimilarityMae(m.similarityMae());
    s.setSimilaritySpearman(m.similaritySpearman());
    s.setEvaluatedEpoch(m.evaluatedEpoch());
    return s;
  }

  static CheckpointStatus checkpoint(CheckpointReport c) {
    if (c == null) {
      return null;
    }
    CheckpointStatus s = new CheckpointStatus();
    s.setLatest(c.latest());
    s.setEpoch(c.epoch());
    s.setStep(c.step());
    s.setTime(c.time());
    s.setBest(c.best());
    s.setBestKnnAccuracy(c.bestKnnAccuracy());
    return s;
  }
}
