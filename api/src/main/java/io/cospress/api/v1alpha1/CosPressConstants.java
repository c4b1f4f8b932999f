package io.cospress.api.v1alpha1;

/** Names that identify the DistillationRun resource, shared by the trainer, operator and tests. */
public final class CosPressConstants {
  public static final String GROUP = "cospress.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "DistillationRun";
  public static final String PLURAL = "distillationruns";
  public static final String SINGULAR = "distillationrun";
  public static final String SHORT_NAME = "dr";
  public static final String CATEGORY = "cospress";
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  private CosPressConstants() {}
}
