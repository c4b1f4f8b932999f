package io.cospress.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.api.v1alpha1.ArchitectureSpec;
import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.TrainingSpec;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.checkpoint.RunRecipe;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.data.Batch;
import io.cospress.trainer.data.BatchLoader;
import io.cospress.trainer.data.EpochOrder;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.loss.LossWeights;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.model.Checksums;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.model.builtin.BuiltinStudent;
import io.cospress.trainer.optim.AdamW;
import io.cospress.trainer.optim.AdamWSettings;
import io.cospress.trainer.optim.WarmupCosineSchedule;
import io.cospress.trainer.report.StatusSink;
import io.cospress.trainer.report.TrainerReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One trainer process working on a run: sets up (or resumes) models, data and optimizer, then steps
 * through the remaining epochs, evaluating, checkpointing and reporting as it goes.
 */
public final class DistillationSession implements AutoCloseable {

  static final String HEAD_FILE = "head.npz";
  static final String OPTIMIZER_FILE = "optimizer.npz";

  private final RunManifest manifest;
  private final DistillationRunSpec spec;
  private final RunOptions options;
  private final StatusSink sink;
  private final TrainerMetrics metrics;
  private final StopSignal stop;
  private final Consumer<String> log;

  private final NDManager manager;
  private final TrainingData data;
  private final TorchScriptModel teacher;
  private final Student student;
  private final CompressionHead head;
  private final AdamW optimizer;
  private final CosPressLoss loss;
  private final CheckpointStore checkpoints;
  private final WarmupCosineSchedule schedule;
  private final EvaluationRunner evaluation;
  private final boolean pooledOnly;
  private final int stepsPerEpoch;
  private final CosPressStep cosPressStep;
  private final Map<String, String> recipe;
  private final Optional<Checkpoint> resumedFrom;
  private final ModelShapes shapes;
  private final ThroughputMeter throughput = new ThroughputMeter();
  private final ImageBatchBuffer imageBuffer = new ImageBatchBuffer();

  private int epoch;
  private int batchInEpoch;
  private long step;
  private MetricsStatus latest = new MetricsStatus();
  private CheckpointStatus checkpointStatus;

  public DistillationSession(
      RunManifest manifest,
      RunOptions options,
      StatusSink sink,
      TrainerMetrics metrics,
      StopSignal stop,
      Consumer<String> log)
      throws IOException {
    this.manifest = manifest;
    this.spec = manifest.run().getSpec();
    this.options = options;
    this.sink = sink;
    this.metrics = metrics;
    this.stop = stop;
    this.log = log;
    TrainingSpec training = spec.getTraining();
    this.pooledOnly = Boolean.TRUE.equals(training.getPooledOnly());
    this.recipe = RunRecipe.of(spec);
    this.manager = NDManager.newBaseManager(options.device());
    boolean ready = false;
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      this.checkpoints =
          new CheckpointStore(
              manifest.confine(
                  "spec.checkpoint.path", options.outputDir(), spec.getCheckpoint().getPath()),
              spec.getCheckpoint().getKeep());
      Optional<Checkpoint> resume = checkpoints.latestValid(log);
      resume.ifPresent(c -> ResumeChecks.requireSameRecipe(c, recipe));
      this.resumedFrom = resume;
      this.data = TrainingData.open(manifest, spec.getEvaluation().getBankSize());
      this.stepsPerEpoch = EpochOrder.batchesPerEpoch(data.train().size(), training.getBatchSize());
      if (stepsPerEpoch == 0) {
        throw new ModelInputException(
            "spec.training.batchSize: "
                + training.getBatchSize()
                + " is larger than the training split ("
                + data.train().size()
                + " images)");
      }

      Path teacherFile = manifest.resolve("spec.teacher.model", spec.getTeacher().getModel());
      if (Files.isRegularFile(teacherFile)) {
        Checksums.verify(teacherFile, spec.getTeacher().getSha256(), "spec.teacher.sha256");
      }
      this.teacher =
          TorchScriptModel.load(
              teacherFile,
              "spec.teacher.model",
              spec.getTeacher().getSelect(),
              false,
              options.device());
      opened.add(teacher);
      this.student = openStudent(resume);
      opened.add(student);
      this.shapes = ModelShapes.probe(spec, teacher, student, manager);
      long seed = training.getSeed();
      this.head =
          resume.isPresent()
              ? loadHead(resume.get().file(HEAD_FILE))
              : CompressionHead.initialise(
                  manager, (int) shapes.teacherWidth(), (int) shapes.studentWidth(), seed);
      opened.add(head);
      List<TrainableParameter> trainable = new ArrayList<>(student.parameters());
      trainable.addAll(head.parameters());
      this.optimizer = new AdamW(manager, trainable, AdamWSettings.from(training.getOptimizer()));
      opened.add(optimizer);
      this.loss =
          new CosPressLoss(training.getTemperatures(), LossWeights.from(training.getLossWeights()));
      long totalSteps = (long) stepsPerEpoch * training.getEpochs();
      long warmup = Math.round(training.getOptimizer().getWarmupEpochs() * stepsPerEpoch);
      this.schedule =
          new WarmupCosineSchedule(
              training.getOptimizer().getLearningRate(),
              training.getOptimizer().getMinLearningRate(),
              Math.min(warmup, totalSteps),
              totalSteps);
      this.evaluation =
          new EvaluationRunner(
              new Embedder(
                  manager,
                  data.trainTransform(),
                  Math.max(64, training.getBatchSize()),
                  options.workers()),
              spec.getEvaluation(),
              data.bank(),
              data.validation(),
              data.ood());
      this.cosPressStep = new CosPressStep(teacher, student, head, loss, optimizer, pooledOnly);
      resume.ifPresent(this::restore);
      Engine.getInstance().setRandomSeed((int) (seed + step));
      ready = true;
    } finally {
      if (!ready) {
        for (AutoCloseable c : opened) {
          closeQuietly(c);
        }
        manager.close();
      }
    }
  }

  private Student openStudent(Optional<Checkpoint> resume) throws IOException {
    ArchitectureSpec architecture = spec.getStudent().getArchitecture();
    if (architecture != null) {
      int channels = spec.getDataset().getChannels();
      int size = spec.getDataset().getImageSize();
      resume.ifPresent(
          c ->
              ResumeChecks.requireStudentFile(
                  c, BuiltinStudent.FILE_NAME, "a built-in architecture"));
      try {
        return resume.isPresent()
            ? BuiltinStudent.load(
                manager, architecture, channels, size, resume.get().file(BuiltinStudent.FILE_NAME))
            : BuiltinStudent.create(
                manager, architecture, channels, size, spec.getTraining().getSeed());
      } catch (IllegalArgumentException e) {
        throw new ModelInputException(e.getMessage(), e);
      }
    }
    Path file;
    if (resume.isPresent()) {
      file = resume.get().file(TorchScriptStudent.FILE_NAME);
      ResumeChecks.requireStudentFile(
          resume.get(), TorchScriptStudent.FILE_NAME, "a TorchScript student");
    } else {
      file = manifest.resolve("spec.student.model", spec.getStudent().getModel());
      if (Files.isRegularFile(file)) {
        Checksums.verify(file, spec.getStudent().getSha256(), "spec.student.sha256");
      }
    }
    return new TorchScriptStudent(
        TorchScriptModel.load(
            file, "spec.student.model", spec.getStudent().getSelect(), true, options.device()));
  }

  private CompressionHead loadHead(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        NDManager scope = manager.newSubManager()) {
      return CompressionHead.of(manager, NDList.decode(scope, in));
    }
  }

  private void restore(Checkpoint checkpoint) {
    if (checkpoint.state().seed() != spec.getTraining().getSeed()) {
      log.accept(
          "warning: checkpoint was written with seed "
              + checkpoint.state().seed()
              + " but the manifest says "
              + spec.getTraining().getSeed()
              + "; data order follows the manifest from here on");
    }
    try (InputStream in = Files.newInputStream(checkpoint.file(OPTIMIZER_FILE));
        NDManager scope = manager.newSubManager()) {
      optimizer.restore(NDList.decode(scope, in), checkpoint.state().step());
    } catch (IOException e) {
      throw new ModelInputException("cannot read optimizer state of " + checkpoint.directory(), e);
    }
    this.epoch = checkpoint.state().epoch();
    this.batchInEpoch = checkpoint.state().batch();
    this.step = checkpoint.state().step();
    this.checkpointStatus = statusOf(checkpoint);
    log.accept(
        "resuming from "
            + checkpoint.directory()
            + " at epoch "
            + epoch
            + ", batch "
            + batchInEpoch
            + ", step "
            + step);
  }

  /**
   * Trains until the last epoch is done or a stop is requested. A failure is reported (phase
   * Failed, with the cause) before it is thrown, so status.json never claims a dead run is running.
   */
  public RunResult run() throws IOException {
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
    TrainingSpec training = spec.getTraining();
    int epochs = training.getEpochs();
    metrics.recordProgress(epoch, (long) stepsPerEpoch * epochs);
    report("Running", "training started", true);
    long stepsThisProcess = 0;
    while (epoch < epochs) {
      try (BatchLoader loader =
          BatchLoader.training(
              data.train(),
              data.trainTransform(),
              training.getBatchSize(),
              training.getSeed(),
              epoch,
              batchInEpoch,
              options.workers(),
              3)) {
        for (Batch batch = loader.next(); batch != null; batch = loader.next()) {
          trainStep(batch);
          batchInEpoch = batch.batchIndex() + 1;
          stepsThisProcess++;
          if (options.stopAfterSteps() != null && stepsThisProcess >= options.stopAfterSteps()) {
            stop.request("stop requested after " + stepsThisProcess + " steps");
          }
          if (stop.requested()) {
            return stopEarly();
          }
          report("Running", null, false);
        }
      }
      epoch++;
      batchInEpoch = 0;
      metrics.recordProgress(epoch, (long) stepsPerEpoch * epochs);
      boolean last = epoch == epochs;
      if (evaluation.enabled() && (last || epoch % spec.getEvaluation().getIntervalEpochs() == 0)) {
        evaluate();
      }
      if (last || epoch % spec.getCheckpoint().getIntervalEpochs() == 0) {
        saveCheckpoint();
      }
      report("Running", "epoch " + epoch + "/" + epochs + " done", true);
      if (stop.requested()) {
        return stopEarly();
      }
    }
    Path finalDir = options.outputDir().resolve("final");
    Files.createDirectories(finalDir);
    student.save(finalDir);
    writeHead(finalDir);
    report("Succeeded", "training finished; student written to " + finalDir, true);
    return result(true, finalDir.resolve(student.fileName()));
  }

  private void trainStep(Batch batch) {
    long start = System.nanoTime();
    double lr = schedule.rateAt(step);
    LossValues values;
    try (NDManager scope = manager.newSubManager()) {
      int size = spec.getDataset().getImageSize();
      NDArray images =
          imageBuffer.tensor(
              scope, batch.pixels(), new Shape(batch.size(), batch.channels(), size, size));
      values = cosPressStep.run(images, lr);
    }
    step++;
    long elapsed = System.nanoTime() - start;
    throughput.record(batch.size(), elapsed);
    metrics.recordStep(batch.size(), Duration.ofNanos(elapsed), values, lr, step);
    metrics.recordThroughput(throughput.imagesPerSecond());
    latest.setLoss(values.total());
    latest.setLocalLoss(values.local());
    latest.setGlobalLoss(values.global());
    latest.setFeatureLoss(values.feature());
    latest.setTokenLoss(values.token());
    if (!Double.isFinite(values.total())) {
      throw new IllegalStateException(
          "loss became "
              + values.total()
              + " at step "
              + step
              + "; lower spec.training.optimizer.learningRate or set gradientClipNorm");
    }
  }

  private void evaluate() {
    MetricsStatus result =
        evaluation.evaluate(x -> teacher.forward(x, false), x -> student.forward(x, false));
    result.setEvaluatedEpoch(epoch);
    result.setLoss(latest.getLoss());
    result.setLocalLoss(latest.getLocalLoss());
    result.setGlobalLoss(latest.getGlobalLoss());
    result.setFeatureLoss(latest.getFeatureLoss());
    result.setTokenLoss(latest.getTokenLoss());
    latest = result;
    metrics.recordEvaluation(result);
    log.accept(EvaluationRunner.summary(epoch, result));
  }

  long step() {
    return step;
  }

  /** What was opened and checked, one line each, for {@code validate}. */
  public List<String> describeInputs() {
    return InputSummary.lines(
        teacher.file(),
        spec.getStudent(),
        shapes,
        data,
        stepsPerEpoch,
        resumedFrom,
        checkpoints.root());
  }

  /** The checkpoint this session resumed from, if any. */
  public Optional<Checkpoint> resumedFrom() {
    return resumedFrom;
  }

  int epoch() {
    return epoch;
  }

  int batchInEpoch() {
    return batchInEpoch;
  }

  /** A copy of the optimizer's moments, for tests that compare a resumed state. */
  NDList optimizerState() {
    return optimizer.state();
  }

  long optimizerUpdates() {
    return optimizer.updates();
  }

  double learningRate() {
    return schedule.rateAt(Math.max(0, step - 1));
  }

  /** Evaluates the current student (resumed from the latest checkpoint, if any). */
  public MetricsStatus evaluateOnly() {
    if (!evaluation.enabled()) {
      throw new ModelInputException("spec.dataset.validation: required for evaluation");
    }
    evaluate();
    return latest;
  }

  private void saveCheckpoint() throws IOException {
    Checkpoint saved =
        checkpoints.save(
            epoch,
            batchInEpoch,
            step,
            spec.getTraining().getSeed(),
            latest.getStudentKnnAccuracy(),
            recipe,
            dir -> {
              student.save(dir);
              writeHead(dir);
              try (OutputStream out = Files.newOutputStream(dir.resolve(OPTIMIZER_FILE))) {
                optimizer.state().encode(out, NDList.Encoding.NPZ);
              }
            });
    checkpointStatus = statusOf(saved);
    checkpoints
        .best()
        .ifPresent(
            b -> {
              checkpointStatus.setBest(b.name());
              checkpointStatus.setBestKnnAccuracy(b.state().studentKnnAccuracy());
            });
    metrics.recordCheckpoint();
    report("Running", "checkpoint " + saved.name() + " written", true);
  }

  private void writeHead(Path dir) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve(HEAD_FILE))) {
      head.toNDList().encode(out, NDList.Encoding.NPZ);
    }
  }

  private RunResult stopEarly() throws IOException {
    saveCheckpoint();
    report("Stopped", "stopped (" + stop.reason() + ") after checkpointing at step " + step, true);
    return result(false, null);
  }

  private RunResult result(boolean completed, Path finalStudent) {
    return new RunResult(
        completed,
        epoch,
        step,
        schedule.rateAt(Math.max(0, step - 1)),
        latest,
        finalStudent,
        checkpoints.root());
  }

  private static CheckpointStatus statusOf(Checkpoint checkpoint) {
    CheckpointStatus status = new CheckpointStatus();
    status.setLatest(checkpoint.name());
    status.setEpoch(checkpoint.state().epoch());
    status.setStep(checkpoint.state().step());
    status.setTime(checkpoint.state().time());
    return status;
  }

  private void report(String state, String message, boolean milestone) {
    ProgressStatus progress =
        Progress.of(
            epoch,
            spec.getTraining().getEpochs(),
            step,
            stepsPerEpoch,
            spec.getTraining().getBatchSize(),
            throughput,
            schedule.rateAt(Math.max(0, step - 1)));
    sink.report(new TrainerReport(state, message, progress, latest, checkpointStatus), milestone);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already failing; the original error matters
    }
  }

  @Override
  public void close() {
    loss.close();
    closeQuietly(optimizer);
    closeQuietly(head);
    closeQuietly(student);
    closeQuietly(teacher);
    manager.close();
  }
}
