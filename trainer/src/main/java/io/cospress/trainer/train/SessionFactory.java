package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.data.EpochOrder;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.optim.WarmupCosineSchedule;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds a {@link TrainingSession} from a run's validated configuration: the checkpoint to resume
 * from (whose recipe must match), the data, the teacher and student (checked by running both once),
 * the head, optimizer and objective ({@link StepParts}, as the benchmark builds them), the
 * learning-rate schedule, the evaluation, and the position training continues from. Every input
 * problem surfaces here, before anything is written.
 */
public final class SessionFactory {

  private final RunOptions options;
  private final Consumer<String> log;

  /**
   * @param log where resume notes and evaluation lines go (stdout in {@code run})
   */
  public SessionFactory(RunOptions options, Consumer<String> log) {
    this.options = options;
    this.log = log;
  }

  public TrainingSession open(RunManifest manifest) throws IOException {
    TrainerConfig config = manifest.config();
    TrainingConfig training = config.training();
    NDManager manager = NDManager.newBaseManager(options.device());
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    opened.push(manager);
    try {
      CheckpointStore store =
          new CheckpointStore(
              manifest.checkpointDir(options.outputDir()), config.checkpoint().keep());
      Optional<Checkpoint> resume = store.latestValid(log);
      resume.ifPresent(c -> ResumeChecks.requireSameRecipe(c, config.recipe()));
      TrainingData data = TrainingData.open(manifest);
      int stepsPerEpoch = stepsPerEpoch(data, training);

      ModelLoader models = new ModelLoader(manifest, options.device());
      TorchScriptModel teacher = models.teacher();
      opened.push(teacher);
      Student student = models.student(manager, resume);
      opened.push(student);
      ModelShapes shapes = ModelShapes.probe(config, teacher, student, manager);
      List<Device> devices = TrainingDevices.of(options.device(), training.gpus());
      TrainingDevices.describe(options.device(), devices, training.precision(), System.getenv())
          .ifPresent(log);
      StepParts parts =
          StepParts.build(
              manager,
              teacher,
              student,
              shapes,
              training,
              resume.map(c -> c.file(Checkpointer.HEAD_FILE)),
              devices,
              models);
      opened.push(parts);

      Checkpointer checkpointer =
          new Checkpointer(
              store,
              manager,
              student,
              parts.head(),
              parts.optimizer(),
              training.seed(),
              config.recipe(),
              log);
      TrainingPosition start = resume.map(checkpointer::resume).orElse(TrainingPosition.START);
      parts.optimizer().syncCopies(); // the replicas start from the restored masters
      // The random stream continues where the checkpoint left it, as a function of the step.
      Engine.getInstance().setRandomSeed((int) (training.seed() + start.step()));
      TrainingSession session =
          new TrainingSession(
              config,
              options,
              manager,
              data,
              teacher,
              student,
              parts,
              schedule(training, stepsPerEpoch),
              evaluation(config, data, manager),
              checkpointer,
              shapes,
              stepsPerEpoch,
              resume,
              start,
              log);
      opened.clear();
      return session;
    } finally {
      // Only on failure is anything left here: close what was opened, newest first.
      opened.forEach(TrainingSession::closeQuietly);
    }
  }

  private static int stepsPerEpoch(TrainingData data, TrainingConfig training) {
    int steps = EpochOrder.batchesPerEpoch(data.train().size(), training.batchSize());
    if (steps == 0) {
      throw new ModelInputException(
          "spec.training.batchSize: "
              + training.batchSize()
              + " is larger than the training split ("
              + data.train().size()
              + " images)");
    }
    return steps;
  }

  private static WarmupCosineSchedule schedule(TrainingConfig training, int stepsPerEpoch) {
    long totalSteps = (long) stepsPerEpoch * training.epochs();
    long warmup = Math.round(training.optimizer().warmupEpochs() * stepsPerEpoch);
    return new WarmupCosineSchedule(
        training.optimizer().learningRate(),
        training.optimizer().minLearningRate(),
        Math.min(warmup, totalSteps),
        totalSteps);
  }

  private EvaluationRunner evaluation(TrainerConfig config, TrainingData data, NDManager manager) {
    Embedder embedder =
        new Embedder(
            manager,
            data.trainTransform(),
            Math.max(64, config.training().batchSize()),
            options.workers());
    return new EvaluationRunner(
        embedder, config.evaluation(), data.bank(), data.validation(), data.ood());
  }
}
