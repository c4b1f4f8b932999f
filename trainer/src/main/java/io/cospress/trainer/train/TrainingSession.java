package io.cospress.trainer.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.optim.WarmupCosineSchedule;
import io.cospress.trainer.report.MetricsReport;
import io.cospress.trainer.report.StatusSink;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One trainer process's work on a run, opened by {@link SessionFactory}: the models, data,
 * optimizer and checkpoints, positioned where training continues. {@link #run} hands them to a
 * {@link TrainingLoop}; {@code validate} and {@code eval} use the same session without training.
 */
public final class TrainingSession implements AutoCloseable {

  private final TrainerConfig config;
  private final RunOptions options;
  private final NDManager manager;
  private final TrainingData data;
  private final TorchScriptModel teacher;
  private final Student student;
  private final StepParts parts;
  private final WarmupCosineSchedule schedule;
  private final EvaluationRunner evaluation;
  private final Checkpointer checkpointer;
  private final ModelShapes shapes;
  private final int stepsPerEpoch;
  private final Optional<Checkpoint> resumedFrom;
  private final TrainingPosition start;
  private final Consumer<String> log;

  TrainingSession(
      TrainerConfig config,
      RunOptions options,
      NDManager manager,
      TrainingData data,
      TorchScriptModel teacher,
      Student student,
      StepParts parts,
      WarmupCosineSchedule schedule,
      EvaluationRunner evaluation,
      Checkpointer checkpointer,
      ModelShapes shapes,
      int stepsPerEpoch,
      Optional<Checkpoint> resumedFrom,
      TrainingPosition start,
      Consumer<String> log) {
    this.config = config;
    this.options = options;
    this.manager = manager;
    this.data = data;
    this.teacher = teacher;
    this.student = student;
    this.parts = parts;
    this.schedule = schedule;
    this.evaluation = evaluation;
    this.checkpointer = checkpointer;
    this.shapes = shapes;
    this.stepsPerEpoch = stepsPerEpoch;
    this.resumedFrom = resumedFrom;
    this.start = start;
    this.log = log;
  }

  /**
   * Trains until the last epoch is done or {@code stop} is requested, reporting to {@code sink}. A
   * failure is reported (phase Failed, with the cause) before it is thrown.
   */
  public RunResult run(StatusSink sink, TrainerMetrics metrics, StopSignal stop)
      throws IOException {
    ProgressReporter reporter =
        new ProgressReporter(
            sink,
            config.training().epochs(),
            stepsPerEpoch,
            config.training().batchSize(),
            schedule);
    return new TrainingLoop(this, reporter, metrics, stop).run();
  }

  /** Evaluates the current student (the latest checkpoint's, when resumed). */
  public MetricsReport evaluateOnly() {
    if (!evaluation.enabled()) {
      throw new ModelInputException("spec.dataset.validation: required for evaluation");
    }
    return evaluate(start.epoch());
  }

  /** What was opened and checked, one line each, for {@code validate}. */
  public List<String> describeInputs() {
    return InputSummary.lines(
        teacher.file(),
        config.student(),
        shapes,
        data,
        stepsPerEpoch,
        resumedFrom,
        checkpointer.root());
  }

  /** The checkpoint this session resumed from, if any. */
  public Optional<Checkpoint> resumedFrom() {
    return resumedFrom;
  }

  MetricsReport evaluate(int epoch) {
    return evaluation.evaluate(
        epoch, x -> teacher.forward(x, false), x -> student.forward(x, false));
  }

  void log(String line) {
    log.accept(line);
  }

  boolean evaluationEnabled() {
    return evaluation.enabled();
  }

  TrainerConfig config() {
    return config;
  }

  RunOptions options() {
    return options;
  }

  NDManager manager() {
    return manager;
  }

  TrainingData data() {
    return data;
  }

  StepParts parts() {
    return parts;
  }

  WarmupCosineSchedule schedule() {
    return schedule;
  }

  Checkpointer checkpointer() {
    return checkpointer;
  }

  int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** Where training continues: the start, or the checkpoint resumed from. */
  TrainingPosition start() {
    return start;
  }

  long step() {
    return start.step();
  }

  int epoch() {
    return start.epoch();
  }

  int batchInEpoch() {
    return start.batch();
  }

  /** A copy of the optimizer's moments, for tests that compare a resumed state. */
  NDList optimizerState() {
    return parts.optimizer().state();
  }

  long optimizerUpdates() {
    return parts.optimizer().updates();
  }

  @Override
  public void close() {
    closeQuietly(parts);
    closeQuietly(student);
    closeQuietly(teacher);
    manager.close();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing after use or after a failure: the result or the original error matters
    }
  }
}
