package io.cospress.trainer.train;

import io.cospress.api.v1alpha1.ProgressStatus;
import java.time.Instant;

/** The {@code progress} part of a report: where training stands and how fast it goes. */
final class Progress {

  private Progress() {}

  static ProgressStatus of(
      int epoch,
      int epochs,
      long step,
      int stepsPerEpoch,
      int batchSize,
      ThroughputMeter throughput,
      double learningRate) {
    long totalSteps = (long) stepsPerEpoch * epochs;
    ProgressStatus progress = new ProgressStatus();
    progress.setEpoch(epoch);
    progress.setTotalEpochs(epochs);
    progress.setEpochs(epoch + "/" + epochs);
    progress.setStep(step);
    progress.setTotalSteps(totalSteps);
    progress.setFraction(totalSteps == 0 ? 0 : (double) step / totalSteps);
    double rate = throughput.imagesPerSecond();
    if (rate > 0) {
      progress.setImagesPerSecond(rate);
      progress.setEtaSeconds(throughput.etaSeconds((totalSteps - step) * batchSize));
    }
    progress.setLearningRate(learningRate);
    progress.setLastUpdateTime(Instant.now().toString());
    return progress;
  }
}
