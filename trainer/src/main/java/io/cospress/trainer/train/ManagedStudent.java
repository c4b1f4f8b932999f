package io.cospress.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TrainableParameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A student together with the manager created for it on its device, closed with it. */
record ManagedStudent(Student student, NDManager owner) implements Student {

  @Override
  public NDArray forward(NDArray images, boolean training) {
    return student.forward(images, training);
  }

  @Override
  public List<TrainableParameter> parameters() {
    return student.parameters();
  }

  @Override
  public String fileName() {
    return student.fileName();
  }

  @Override
  public void save(Path directory) throws IOException {
    student.save(directory);
  }

  @Override
  public void close() {
    student.close();
    owner.close();
  }
}
