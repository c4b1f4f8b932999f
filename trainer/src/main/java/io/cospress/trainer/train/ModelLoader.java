package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.config.ArchitectureConfig;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.config.StudentConfig;
import io.cospress.trainer.config.TeacherConfig;
import io.cospress.trainer.model.Checksums;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.model.builtin.BuiltinStudent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens the teacher and the student of a run: the manifest's files (checksums verified first), or
 * for a resume the student the checkpoint holds.
 */
final class ModelLoader implements ReplicaModels {

  private final RunManifest manifest;
  private final Device device;

  ModelLoader(RunManifest manifest, Device device) {
    this.manifest = manifest;
    this.device = device;
  }

  TorchScriptModel teacher() throws IOException {
    TeacherConfig teacher = manifest.config().teacher();
    Path file = manifest.resolve("spec.teacher.model", teacher.model());
    if (Files.isRegularFile(file)) {
      Checksums.verify(file, teacher.sha256(), "spec.teacher.sha256");
    }
    return TorchScriptModel.load(file, "spec.teacher.model", teacher.select(), false, device);
  }

  /** A copy of the (already verified) teacher for a replica. */
  @Override
  public TorchScriptModel teacher(Device on, DataType type) {
    TeacherConfig teacher = manifest.config().teacher();
    Path file = manifest.resolve("spec.teacher.model", teacher.model());
    return type == DataType.BFLOAT16
        ? TorchScriptModel.loadBfloat16(file, "spec.teacher.model", teacher.select(), false, on)
        : TorchScriptModel.load(file, "spec.teacher.model", teacher.select(), false, on);
  }

  /**
   * A working copy of the student for a replica: loaded from the file the master came from (its
   * weights are overwritten with the master's before the first step), a built-in one created.
   */
  @Override
  public Student student(Device on, DataType type) throws IOException {
    StudentConfig student = manifest.config().student();
    if (student.builtin()) {
      NDManager owner = NDManager.newBaseManager(on);
      try {
        return new ManagedStudent(
            BuiltinStudent.create(
                owner,
                student.architecture(),
                manifest.config().dataset().channels(),
                manifest.config().dataset().imageSize(),
                manifest.config().training().seed()),
            owner);
      } catch (RuntimeException e) {
        owner.close();
        throw e;
      }
    }
    Path file = manifest.resolve("spec.student.model", student.model());
    TorchScriptModel copy =
        type == DataType.BFLOAT16
            ? TorchScriptModel.loadBfloat16(file, "spec.student.model", student.select(), true, on)
            : TorchScriptModel.load(file, "spec.student.model", student.select(), true, on);
    return new TorchScriptStudent(copy);
  }

  Student student(NDManager manager, Optional<Checkpoint> resume) throws IOException {
    StudentConfig student = manifest.config().student();
    return student.builtin()
        ? builtin(manager, student.architecture(), resume)
        : torchScript(student, resume);
  }

  private Student builtin(
      NDManager manager, ArchitectureConfig architecture, Optional<Checkpoint> resume)
      throws IOException {
    int channels = manifest.config().dataset().channels();
    int size = manifest.config().dataset().imageSize();
    resume.ifPresent(
        c ->
            ResumeChecks.requireStudentFile(
                c, BuiltinStudent.FILE_NAME, "a built-in architecture"));
    try {
      return resume.isPresent()
          ? BuiltinStudent.load(
              manager, architecture, channels, size, resume.get().file(BuiltinStudent.FILE_NAME))
          : BuiltinStudent.create(
              manager, architecture, channels, size, manifest.config().training().seed());
    } catch (IllegalArgumentException e) {
      throw new ModelInputException(e.getMessage(), e);
    }
  }

  private Student torchScript(StudentConfig student, Optional<Checkpoint> resume)
      throws IOException {
    Path file;
    if (resume.isPresent()) {
      file = resume.get().file(TorchScriptStudent.FILE_NAME);
      ResumeChecks.requireStudentFile(
          resume.get(), TorchScriptStudent.FILE_NAME, "a TorchScript student");
    } else {
      file = manifest.resolve("spec.student.model", student.model());
      if (Files.isRegularFile(file)) {
        Checksums.verify(file, student.sha256(), "spec.student.sha256");
      }
    }
    return new TorchScriptStudent(
        TorchScriptModel.load(file, "spec.student.model", student.select(), true, device));
  }
}
