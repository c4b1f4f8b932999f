package io.cospress.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TorchScriptModel;
import java.io.IOException;

/**
 * Loads further copies of the run's teacher and student for {@link StepParts}: in bfloat16, or on
 * another device, or both. Their weights need not be current: the optimizer's first {@link
 * io.cospress.trainer.optim.AdamW#syncCopies} overwrites them with the masters'.
 */
public interface ReplicaModels {

  /** The frozen teacher on {@code device}, computing in {@code type}. */
  TorchScriptModel teacher(Device device, DataType type) throws IOException;

  /**
   * A trainable student on {@code device}, in {@code type} where the student can be converted (a
   * TorchScript student); a built-in student stays float32.
   */
  Student student(Device device, DataType type) throws IOException;
}
