package io.cospress.trainer.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.optim.AdamW;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one CosPress step trains with besides the two models: the compression head, the AdamW
 * optimizer over student and head, the objective, and the {@link CosPressStep} that runs them.
 * Built in one place for the trainer and the step benchmark, so what is measured is what is run.
 */
public record StepParts(CompressionHead head, AdamW optimizer, CosPressLoss loss, CosPressStep step)
    implements AutoCloseable {

  /**
   * Builds the parts for a teacher and student whose output widths are {@code shapes}.
   *
   * @param savedHead a checkpoint's head to continue from; empty for a new head, seeded by the
   *     training seed
   */
  public static StepParts build(
      NDManager manager,
      TorchScriptModel teacher,
      Student student,
      ModelShapes shapes,
      TrainingConfig training,
      Optional<Path> savedHead)
      throws IOException {
    CompressionHead head =
        savedHead.isPresent()
            ? loadHead(manager, savedHead.get())
            : CompressionHead.initialise(
                manager, (int) shapes.teacherWidth(), (int) shapes.studentWidth(), training.seed());
    AdamW optimizer = null;
    try {
      List<TrainableParameter> trainable = new ArrayList<>(student.parameters());
      trainable.addAll(head.parameters());
      optimizer = new AdamW(manager, trainable, training.optimizer().adamW());
      CosPressLoss loss = new CosPressLoss(training.temperatures(), training.lossWeights());
      CosPressStep step =
          new CosPressStep(teacher, student, head, loss, optimizer, training.pooledOnly());
      return new StepParts(head, optimizer, loss, step);
    } catch (RuntimeException | Error e) {
      if (optimizer != null) {
        optimizer.close();
      }
      head.close();
      throw e;
    }
  }

  private static CompressionHead loadHead(NDManager manager, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        NDManager scope = manager.newSubManager()) {
      return CompressionHead.of(manager, NDList.decode(scope, in));
    }
  }

  @Override
  public void close() {
    loss.close();
    optimizer.close();
    head.close();
  }
}
