package io.cospress.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Number format the training step computes in; weights and optimizer state stay float32. */
public enum Precision {
  /** Everything in float32, matrix products included. */
  @JsonProperty("fp32")
  FP32,
  /**
   * float32 storage and arithmetic, with matrix products on NVIDIA tensor cores in TF32 (10-bit
   * mantissa inputs, float32 accumulation); identical to fp32 on CPUs.
   */
  @JsonProperty("tf32")
  TF32,
  /**
   * Teacher and student forward and backward in bfloat16, with float32 master weights and AdamW
   * state and the loss in float32.
   */
  @JsonProperty("bf16")
  BF16
}
