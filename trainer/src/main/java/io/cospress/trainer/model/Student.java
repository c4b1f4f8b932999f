package io.cospress.trainer.model;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The network being trained. */
public interface Student extends AutoCloseable {

  NDArray forward(NDArray images, boolean training);

  List<TrainableParameter> parameters();

  /** File name the student is saved under in checkpoints and as the final result. */
  String fileName();

  /** Saves the current weights to {@code directory/fileName()}. */
  void save(Path directory) throws IOException;

  @Override
  void close();
}
