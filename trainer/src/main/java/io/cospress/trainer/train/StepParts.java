package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.config.Precision;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.optim.AdamW;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * What one CosPress step trains with besides the two models: the compression head, the AdamW
 * optimizer over student and head, the objective, the replicas the step computes on, and the {@link
 * CosPressStep} that runs them. Built in one place for the trainer and the step benchmark, so what
 * is measured is what is run.
 *
 * <p>The given teacher, student and head are the masters: the head and student the optimizer
 * updates, checkpoints save and evaluation runs. A float32 step on one device computes with them
 * directly. A bfloat16 step computes with bfloat16 copies of teacher and student; a step on N
 * devices with one replica per device. Copies are loaded through {@link ReplicaModels}, owned here,
 * and refreshed from the masters after every update ({@link AdamW#syncCopies}).
 */
public record StepParts(
    CompressionHead head,
    AdamW optimizer,
    CosPressLoss loss,
    CosPressStep step,
    List<Replica> replicas,
    List<AutoCloseable> copies)
    implements AutoCloseable {

  /** One float32 replica on the manager's device, the masters themselves. */
  public static StepParts build(
      NDManager manager,
      TorchScriptModel teacher,
      Student student,
      ModelShapes shapes,
      TrainingConfig training,
      Optional<Path> savedHead)
      throws IOException {
    return build(
        manager, teacher, student, shapes, training, savedHead, List.of(manager.getDevice()), null);
  }

  /**
   * Builds the parts for a teacher and student whose output widths are {@code shapes}.
   *
   * @param savedHead a checkpoint's head to continue from; empty for a new head, seeded by the
   *     training seed
   * @param devices one replica per device, the first the masters' device
   * @param models loads the copies a bfloat16 or multi-device step needs (unused otherwise)
   */
  public static StepParts build(
      NDManager manager,
      TorchScriptModel teacher,
      Student student,
      ModelShapes shapes,
      TrainingConfig training,
      Optional<Path> savedHead,
      List<Device> devices,
      ReplicaModels models)
      throws IOException {
    CompressionHead head =
        savedHead.isPresent()
            ? loadHead(manager, savedHead.get())
            : CompressionHead.initialise(
                manager, (int) shapes.teacherWidth(), (int) shapes.studentWidth(), training.seed());
    Deque<AutoCloseable> owned = new ArrayDeque<>();
    AdamW optimizer = null;
    try {
      List<Replica> replicas = replicas(teacher, student, head, training, devices, models, owned);
      List<TrainableParameter> trainable = new ArrayList<>();
      trainable.addAll(withCopies(student.parameters(), replicas, r -> r.student().parameters()));
      trainable.addAll(withCopies(head.parameters(), replicas, r -> r.head().parameters()));
      optimizer = new AdamW(manager, trainable, training.optimizer().adamW());
      optimizer.syncCopies();
      CosPressLoss loss = new CosPressLoss(training.temperatures(), training.lossWeights());
      CosPressStep step = new CosPressStep(replicas, loss, optimizer, training.pooledOnly());
      return new StepParts(head, optimizer, loss, step, replicas, List.copyOf(owned));
    } catch (IOException | RuntimeException | Error e) {
      if (optimizer != null) {
        optimizer.close();
      }
      owned.forEach(TrainingSession::closeQuietly);
      head.close();
      throw e;
    }
  }

  private static List<Replica> replicas(
      TorchScriptModel teacher,
      Student student,
      CompressionHead head,
      TrainingConfig training,
      List<Device> devices,
      ReplicaModels models,
      Deque<AutoCloseable> owned)
      throws IOException {
    boolean bfloat16 = training.precision() == Precision.BF16;
    DataType type = bfloat16 ? DataType.BFLOAT16 : DataType.FLOAT32;
    // A built-in student has no bfloat16 form; the master computes where a copy would not differ.
    boolean studentCopy = bfloat16 && student instanceof TorchScriptStudent;
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      Device device = devices.get(i);
      boolean first = i == 0;
      TorchScriptModel t = first && !bfloat16 ? teacher : own(models.teacher(device, type), owned);
      Student s = first && !studentCopy ? student : own(models.student(device, type), owned);
      CompressionHead h = first ? head : own(head.copyOn(device), owned);
      replicas.add(new Replica(device, t, s, h));
    }
    return replicas;
  }

  private static <T extends AutoCloseable> T own(T copy, Deque<AutoCloseable> owned) {
    owned.push(copy);
    return copy;
  }

  /** The masters, each with the matching parameter of every replica as its working copies. */
  private static List<TrainableParameter> withCopies(
      List<TrainableParameter> masters,
      List<Replica> replicas,
      java.util.function.Function<Replica, List<TrainableParameter>> of) {
    List<TrainableParameter> result = new ArrayList<>();
    List<List<TrainableParameter>> perReplica = replicas.stream().map(of).toList();
    for (int i = 0; i < masters.size(); i++) {
      TrainableParameter master = masters.get(i);
      List<NDArray> copies = new ArrayList<>();
      for (List<TrainableParameter> replica : perReplica) {
        TrainableParameter copy = replica.get(i);
        if (!copy.name().equals(master.name())
            || !copy.array().getShape().equals(master.array().getShape())) {
          throw new IllegalStateException(
              "replica parameter " + copy.name() + " does not match " + master.name());
        }
        copies.add(copy.array());
      }
      result.add(master.withCopies(copies));
    }
    return result;
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
    copies.forEach(TrainingSession::closeQuietly);
    head.close();
  }
}
