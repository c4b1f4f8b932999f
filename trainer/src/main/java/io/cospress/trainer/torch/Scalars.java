package io.cospress.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number that leaves no native memory to the garbage collector.
 *
 * <p>DJL turns the number operand of {@code x.mul(2f)} into a tensor over a fresh direct byte
 * buffer, whose native memory is released only when the collector happens to run; a step that does
 * this hundreds of times lets resident memory climb. A 0-d tensor filled natively has no such
 * buffer and dies with the step's manager.
 */
public final class Scalars {

  private Scalars() {}

  /** {@code x * factor}. */
  public static NDArray times(NDArray x, double factor) {
    return x.mul(constant(x, factor));
  }

  /**
   * {@code x / divisor}; a whole divisor below 2^24 is exact in any floating type, where a
   * reciprocal factor would be rounded to float.
   */
  public static NDArray over(NDArray x, double divisor) {
    return x.div(constant(x, divisor));
  }

  /** {@code 1 - x}. */
  public static NDArray oneMinus(NDArray x) {
    return constant(x, 1).subi(x);
  }

  /** A 0-d tensor on {@code like}'s manager, device and type. */
  public static NDArray constant(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }
}
