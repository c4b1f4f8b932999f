package io.cospress.trainer.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.optim.AdamW;
import io.cospress.trainer.report.CheckpointReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a session's checkpoints (student, head, optimizer moments and the position) and restores a
 * session from one, and keeps what the status says about them.
 */
final class Checkpointer {

  static final String HEAD_FILE = "head.npz";
  static final String OPTIMIZER_FILE = "optimizer.npz";

  private final CheckpointStore store;
  private final NDManager manager;
  private final Student student;
  private final CompressionHead head;
  private final AdamW optimizer;
  private final long seed;
  private final Map<String, String> recipe;
  private final Consumer<String> log;
  private CheckpointReport latest;

  Checkpointer(
      CheckpointStore store,
      NDManager manager,
      Student student,
      CompressionHead head,
      AdamW optimizer,
      long seed,
      Map<String, String> recipe,
      Consumer<String> log) {
    this.store = store;
    this.manager = manager;
    this.student = student;
    this.head = head;
    this.optimizer = optimizer;
    this.seed = seed;
    this.recipe = recipe;
    this.log = log;
  }

  /**
   * Restores the optimizer's moments and update count from {@code checkpoint} (student and head
   * were loaded from it already) and returns where training continues.
   */
  TrainingPosition resume(Checkpoint checkpoint) {
    if (checkpoint.state().seed() != seed) {
      log.accept(
          "warning: checkpoint was written with seed "
              + checkpoint.state().seed()
              + " but the manifest says "
              + seed
              + "; data order follows the manifest from here on");
    }
    try (InputStream in = Files.newInputStream(checkpoint.file(OPTIMIZER_FILE));
        NDManager scope = manager.newSubManager()) {
      optimizer.restore(NDList.decode(scope, in), checkpoint.state().step());
    } catch (IOException e) {
      throw new ModelInputException("cannot read optimizer state of " + checkpoint.directory(), e);
    }
    latest = reportOf(checkpoint);
    TrainingPosition position =
        new TrainingPosition(
            checkpoint.state().epoch(), checkpoint.state().batch(), checkpoint.state().step());
    log.accept(
        "resuming from "
            + checkpoint.directory()
            + " at epoch "
            + position.epoch()
            + ", batch "
            + position.batch()
            + ", step "
            + position.step());
    return position;
  }

  /** Writes a checkpoint at {@code position}; {@code knnAccuracy} ranks it for "best". */
  Checkpoint save(TrainingPosition position, Double knnAccuracy) throws IOException {
    Checkpoint saved =
        store.save(
            position.epoch(),
            position.batch(),
            position.step(),
            seed,
            knnAccuracy,
            recipe,
            dir -> {
              writeModels(dir);
              try (OutputStream out = Files.newOutputStream(dir.resolve(OPTIMIZER_FILE))) {
                optimizer.state().encode(out, NDList.Encoding.NPZ);
              }
            });
    CheckpointReport report = reportOf(saved);
    latest =
        store
            .best()
            .map(b -> report.withBest(b.name(), b.state().studentKnnAccuracy()))
            .orElse(report);
    return saved;
  }

  /** Writes the student and the compression head into {@code dir}; returns the student's file. */
  Path writeModels(Path dir) throws IOException {
    student.save(dir);
    try (OutputStream out = Files.newOutputStream(dir.resolve(HEAD_FILE))) {
      head.toNDList().encode(out, NDList.Encoding.NPZ);
    }
    return dir.resolve(student.fileName());
  }

  /** The latest checkpoint written or resumed from, and the best; null before there is one. */
  CheckpointReport latest() {
    return latest;
  }

  Path root() {
    return store.root();
  }

  private static CheckpointReport reportOf(Checkpoint checkpoint) {
    return new CheckpointReport(
        checkpoint.name(),
        checkpoint.state().epoch(),
        checkpoint.state().step(),
        checkpoint.state().time(),
        null,
        null);
  }
}
