package io.cospress.trainer.torch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which libtorch records nothing for autograd (PyTorch's {@code torch.no_grad()}), on
 * this thread; the previous mode comes back on close. Unlike inference mode, tensors made here are
 * ordinary tensors that a later recorded op may use.
 */
public final class NoGrad implements AutoCloseable {

  private final boolean previous;

  private NoGrad() {
    previous = JniUtils.isGradMode();
    if (previous) {
      JniUtils.setGradMode(false);
    }
  }

  public static NoGrad begin() {
    return new NoGrad();
  }

  @Override
  public void close() {
    if (previous) {
      JniUtils.setGradMode(true);
    }
  }
}
