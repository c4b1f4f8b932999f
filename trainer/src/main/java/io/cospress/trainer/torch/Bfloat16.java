package io.cospress.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Conversions to bfloat16 that DJL's PyTorch binding cannot do itself.
 *
 * <p>DJL 0.36's JNI maps no DJL type to libtorch's bfloat16: {@code toType(BFLOAT16)} or {@code
 * zeros(..., BFLOAT16)} reaches a bare {@code throw;} in the native type mapping and aborts the
 * process, and a bfloat16 tensor reports {@link DataType#UNKNOWN}. Converting from bfloat16 works
 * ({@code toType(FLOAT32)}, differentiable), and so do ops on bfloat16 tensors, which keep their
 * type. So a bfloat16 tensor of a new shape is made from an existing one (a bfloat16 module's
 * parameter) by broadcasting one element and multiplying it by a float32 zero (a 0-d operand does
 * not promote), and filled by libtorch's converting {@code copy_}.
 */
public final class Bfloat16 {

  private Bfloat16() {}

  /**
   * {@code x} converted to bfloat16, outside autograd (for inputs: images need no gradient).
   *
   * @param bfloat16 any bfloat16 tensor on {@code x}'s device, e.g. a parameter of a bfloat16
   *     module
   */
  public static NDArray of(NDArray x, NDArray bfloat16) {
    try (NoGrad ignored = NoGrad.begin()) {
      NDArray flat = bfloat16.reshape(-1); // a view; attached below, so the step's scope frees it
      flat.attach(x.getManager());
      NDArray one = flat.get(0);
      NDArray zero = x.getManager().zeros(new Shape(), DataType.FLOAT32, x.getDevice());
      NDArray buffer = one.broadcast(x.getShape()).mul(zero);
      InPlace.copy(x, buffer);
      return buffer;
    }
  }

  /** Whether {@code x} is not float32 (bfloat16 reads as UNKNOWN, see above). */
  public static boolean isReduced(NDArray x) {
    return x.getDataType() != DataType.FLOAT32;
  }
}
