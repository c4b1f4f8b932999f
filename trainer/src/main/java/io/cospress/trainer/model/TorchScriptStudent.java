package io.cospress.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A TorchScript student trained in place; saved as plain TorchScript that {@code torch.jit.load}
 * opens, so checkpoints double as deployable models.
 */
public final class TorchScriptStudent implements Student {

  public static final String FILE_NAME = "student.pt";

  private final TorchScriptModel model;
  private final List<TrainableParameter> parameters;

  public TorchScriptStudent(TorchScriptModel model) {
    this.model = model;
    this.parameters = model.parameters("student.");
    if (parameters.isEmpty()) {
      throw new ModelInputException(
          "spec.student.model: " + model.file() + " has no trainable parameters");
    }
  }

  @Override
  public NDArray forward(NDArray images, boolean training) {
    return model.forward(images, training);
  }

  @Override
  public List<TrainableParameter> parameters() {
    return parameters;
  }

  @Override
  public String fileName() {
    return FILE_NAME;
  }

  @Override
  public void save(Path directory) throws IOException {
    model.saveTorchScript(directory.resolve(FILE_NAME));
  }

  @Override
  public void close() {
    model.close();
  }
}
