package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import java.nio.file.Path;

/** Replica copies of a TorchScript teacher and student read from their files (the benchmark's). */
public record ModelFiles(Path teacher, Path student) implements ReplicaModels {

  @Override
  public TorchScriptModel teacher(Device device, DataType type) {
    return load(teacher, "--teacher", false, device, type);
  }

  @Override
  public Student student(Device device, DataType type) {
    return new TorchScriptStudent(load(student, "--student", true, device, type));
  }

  /** The master copies: float32 on {@code device}. */
  public TorchScriptModel loadTeacher(Device device) {
    return load(teacher, "--teacher", false, device, DataType.FLOAT32);
  }

  public TorchScriptStudent loadStudent(Device device) {
    return new TorchScriptStudent(load(student, "--student", true, device, DataType.FLOAT32));
  }

  private static TorchScriptModel load(
      Path file, String field, boolean trainable, Device device, DataType type) {
    return type == DataType.BFLOAT16
        ? TorchScriptModel.loadBfloat16(file, field, null, trainable, device)
        : TorchScriptModel.load(file, field, null, trainable, device);
  }
}
