package io.cospress.trainer.config;

/**
 * Number format of the training step ({@code spec.training.precision}); weights, optimizer state
 * and the loss are float32 in every mode.
 */
public enum Precision {
  /** float32 throughout. */
  FP32,
  /**
   * float32 with TF32 matrix products on CUDA: libtorch switches them on from the environment
   * ({@code TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1}, which the operator sets on GPU pods) because DJL
   * exposes no setter; cuDNN convolutions use TF32 by libtorch's default anyway. On CPU, fp32.
   */
  TF32,
  /** Teacher and student compute in bfloat16 from float32 master weights. */
  BF16;

  /** The environment variable that lets libtorch's cuBLAS products use TF32. */
  public static final String TF32_ENVIRONMENT = "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE";
}
