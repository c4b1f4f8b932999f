package io.cospress.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Overwrites a tensor's values in place, converting type and device on the way (libtorch's {@code
 * copy_}): how master weights reach their bfloat16 and per-device copies. DJL's {@code copyTo} goes
 * through a host byte buffer and needs equal types; an assignment to the full slice runs natively.
 * The target keeps its identity, so a module holding it sees the new values.
 */
public final class InPlace {

  private InPlace() {}

  /** {@code target[...] = source}, outside autograd; the shapes must be equal. */
  public static void copy(NDArray source, NDArray target) {
    if (!source.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException(
          "cannot copy " + source.getShape() + " into " + target.getShape());
    }
    try (NoGrad ignored = NoGrad.begin()) {
      assign(source, target);
    }
  }

  /** {@code target[...] = source} as libtorch's converting, cross-device {@code copy_}. */
  static void assign(NDArray source, NDArray target) {
    long[] shape = target.getShape().getShape();
    long[] start = new long[shape.length];
    long[] step = new long[shape.length];
    java.util.Arrays.fill(step, 1);
    JniUtils.indexSet((PtNDArray) target, (PtNDArray) source, start, shape, step);
  }
}
