package io.cospress.trainer.torch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Moves a tensor to another device or converts it to float32 such that autograd records it.
 *
 * <p>DJL's {@code toDevice} and {@code toType} run libtorch's {@code to} under a no-grad guard (in
 * the JNI), so a gradient stops there: a bfloat16 student would get none through its float32
 * output, a replica none through the gather onto the first device. An assignment into a fresh
 * tensor (libtorch's {@code copy_} through {@code index_put_}) is recorded, and its backward
 * converts the gradient back to the source's type and device.
 */
public final class Transfer {

  private Transfer() {}

  /** {@code x} as float32 on {@code device}; {@code x} itself when it is that already. */
  public static NDArray toFloat32(NDArray x, Device device) {
    if (x.getDataType() == DataType.FLOAT32 && x.getDevice().equals(device)) {
      return x;
    }
    NDArray target = x.getManager().zeros(x.getShape(), DataType.FLOAT32, device);
    InPlace.assign(x, target);
    return target;
  }
}
