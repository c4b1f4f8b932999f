package io.cospress.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.data.Batch;
import io.cospress.trainer.data.BatchLoader;
import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.report.MetricsReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Steps a session through its remaining epochs: each batch through the CosPress step, an evaluation
 * and a checkpoint when their intervals say, a report after every step (the sinks decide what to
 * keep), and on a stop request a checkpoint at the current step before it returns.
 */
final class TrainingLoop {

  /** Batches the loader decodes ahead of the step. */
  private static final int PREFETCH_BATCHES = 3;

  private final TrainingSession session;
  private final TrainerConfig config;
  private final ProgressReporter reporter;
  private final TrainerMetrics metrics;
  private final StopSignal stop;
  private final ImageBatchBuffer imageBuffer = new ImageBatchBuffer();

  private TrainingPosition position;
  private MetricsReport latest = MetricsReport.NONE;

  TrainingLoop(
      TrainingSession session, ProgressReporter reporter, TrainerMetrics metrics, StopSignal stop) {
    this.session = session;
    this.config = session.config();
    this.reporter = reporter;
    this.metrics = metrics;
    this.stop = stop;
    this.position = session.start();
  }

  /**
   * Trains until the last epoch is done or a stop is requested. A failure is reported (phase
   * Failed, with the cause) before it is thrown, so status.json never claims a dead run is running.
   */
  RunResult run() throws IOException {
    try {
      return train();
    } catch (IOException | RuntimeException | Error e) {
      try {
        report("Failed", Failures.oneLine(e), true);
      } catch (RuntimeException | Error reporting) {
        e.addSuppressed(reporting);
      }
      throw e;
    }
  }

  private RunResult train() throws IOException {
    int epochs = config.training().epochs();
    metrics.recordProgress(position.epoch(), reporter.totalSteps());
    report("Running", "training started", true);
    long stepsThisProcess = 0;
    Long stopAfter = session.options().stopAfterSteps();
    while (position.epoch() < epochs) {
      try (BatchLoader loader = loader()) {
        for (Batch batch = loader.next(); batch != null; batch = loader.next()) {
          trainStep(batch);
          stepsThisProcess++;
          if (stopAfter != null && stepsThisProcess >= stopAfter) {
            stop.request("stop requested after " + stepsThisProcess + " steps");
          }
          if (stop.requested()) {
            return stopEarly();
          }
          report("Running", null, false);
        }
      }
      position = position.nextEpoch();
      metrics.recordProgress(position.epoch(), reporter.totalSteps());
      int epoch = position.epoch();
      boolean last = epoch == epochs;
      if (session.evaluationEnabled()
          && (last || epoch % config.evaluation().intervalEpochs() == 0)) {
        evaluate();
      }
      if (last || epoch % config.checkpoint().intervalEpochs() == 0) {
        saveCheckpoint();
      }
      report("Running", "epoch " + epoch + "/" + epochs + " done", true);
      if (stop.requested()) {
        return stopEarly();
      }
    }
    // In the run's own directory (its checkpoint path): runs sharing an output directory, as a
    // sweep on one claim does, each keep their own final student.
    Path finalDir = session.checkpointer().root().resolve(RunDirectory.FINAL);
    Files.createDirectories(finalDir);
    Path finalStudent = session.checkpointer().writeModels(finalDir);
    report("Succeeded", "training finished; student written to " + finalDir, true);
    return result(true, finalStudent);
  }

  private BatchLoader loader() {
    return BatchLoader.training(
        session.data().train(),
        session.data().trainTransform(),
        config.training().batchSize(),
        config.training().seed(),
        position.epoch(),
        position.batch(),
        session.options().workers(),
        PREFETCH_BATCHES);
  }

  private void trainStep(Batch batch) {
    long start = System.nanoTime();
    double lr = session.schedule().rateAt(position.step());
    LossValues values;
    try (NDManager scope = session.manager().newSubManager()) {
      int size = config.dataset().imageSize();
      NDArray images =
          imageBuffer.tensor(
              scope, batch.pixels(), new Shape(batch.size(), batch.channels(), size, size));
      values = session.parts().step().run(images, lr);
    }
    position = position.afterStep(batch.batchIndex());
    long elapsed = System.nanoTime() - start;
    reporter.recordStep(batch.size(), elapsed);
    metrics.recordStep(batch.size(), Duration.ofNanos(elapsed), values, lr, position.step());
    metrics.recordThroughput(reporter.imagesPerSecond());
    latest = latest.withLoss(values);
    if (!Double.isFinite(values.total())) {
      throw new IllegalStateException(
          "loss became "
              + values.total()
              + " at step "
              + position.step()
              + "; lower spec.training.optimizer.learningRate or set gradientClipNorm");
    }
  }

  private void evaluate() {
    MetricsReport result = session.evaluate(position.epoch());
    latest = latest.withEvaluation(result);
    metrics.recordEvaluation(latest);
    session.log(EvaluationRunner.summary(position.epoch(), result));
  }

  private void saveCheckpoint() throws IOException {
    Checkpoint saved = session.checkpointer().save(position, latest.studentKnnAccuracy());
    metrics.recordCheckpoint();
    report("Running", "checkpoint " + saved.name() + " written", true);
  }

  private RunResult stopEarly() throws IOException {
    saveCheckpoint();
    report(
        "Stopped",
        "stopped (" + stop.reason() + ") after checkpointing at step " + position.step(),
        true);
    return result(false, null);
  }

  private RunResult result(boolean completed, Path finalStudent) {
    return new RunResult(
        completed,
        position.epoch(),
        position.step(),
        session.schedule().rateAt(Math.max(0, position.step() - 1)),
        latest,
        finalStudent,
        session.checkpointer().root());
  }

  private void report(String state, String message, boolean milestone) {
    reporter.report(state, message, milestone, position, latest, session.checkpointer().latest());
  }
}
