package io.cospress.trainer.train;

import io.cospress.trainer.optim.WarmupCosineSchedule;
import io.cospress.trainer.report.CheckpointReport;
import io.cospress.trainer.report.MetricsReport;
import io.cospress.trainer.report.ProgressReport;
import io.cospress.trainer.report.StatusSink;
import io.cospress.trainer.report.TrainerReport;
import java.time.Duration;
import java.time.Instant;

/**
 * Tells the status sink where training stands: progress (epochs, steps, throughput, ETA, learning
 * rate), the latest metrics and checkpoint. At a milestone it waits a short, bounded time for the
 * report to be delivered; a sink that is failing (an unreachable API server) costs no wait at all.
 */
final class ProgressReporter {

  /** Enough for one status write to a healthy API server; the background sink bounds it anyway. */
  static final Duration MILESTONE_WAIT = Duration.ofSeconds(2);

  private final StatusSink sink;
  private final int epochs;
  private final int stepsPerEpoch;
  private final int batchSize;
  private final WarmupCosineSchedule schedule;
  private final ThroughputMeter throughput = new ThroughputMeter();

  ProgressReporter(
      StatusSink sink,
      int epochs,
      int stepsPerEpoch,
      int batchSize,
      WarmupCosineSchedule schedule) {
    this.sink = sink;
    this.epochs = epochs;
    this.stepsPerEpoch = stepsPerEpoch;
    this.batchSize = batchSize;
    this.schedule = schedule;
  }

  /** Counts a step's images and time into the throughput. */
  void recordStep(int images, long nanos) {
    throughput.record(images, nanos);
  }

  double imagesPerSecond() {
    return throughput.imagesPerSecond();
  }

  long totalSteps() {
    return (long) stepsPerEpoch * epochs;
  }

  void report(
      String state,
      String message,
      boolean milestone,
      TrainingPosition position,
      MetricsReport metrics,
      CheckpointReport checkpoint) {
    sink.report(
        new TrainerReport(state, message, progress(position), metrics, checkpoint), milestone);
    if (milestone) {
      sink.flush(MILESTONE_WAIT);
    }
  }

  private ProgressReport progress(TrainingPosition position) {
    long totalSteps = totalSteps();
    long step = position.step();
    double rate = throughput.imagesPerSecond();
    return new ProgressReport(
        position.epoch() + "/" + epochs,
        position.epoch(),
        epochs,
        step,
        totalSteps,
        totalSteps == 0 ? 0 : (double) step / totalSteps,
        rate > 0 ? rate : null,
        schedule.rateAt(Math.max(0, step - 1)),
        rate > 0 ? throughput.etaSeconds((totalSteps - step) * batchSize) : null,
        Instant.now().toString());
  }
}
