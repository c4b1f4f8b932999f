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

  /** Label on everything the operator creates for a run: the run's name. */
  public static final String LABEL_RUN = GROUP + "/run";

  /** Label on a trainer Job and its pods: the attempt number, starting at 1. */
  public static final String LABEL_ATTEMPT = GROUP + "/attempt";

  /** Standard label naming the operator as the manager of an object. */
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_VALUE = "cospress-operator";

  /** Kueue reads the LocalQueue of a Job from this label. */
  public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";

  /** Server-side-apply field manager of the operator (phase, conditions, observedGeneration). */
  public static final String FIELD_MANAGER_OPERATOR = "cospress-operator";

  /** Server-side-apply field manager of the trainer (progress, metrics, checkpoint). */
  public static final String FIELD_MANAGER_TRAINER = "cospress-trainer";

  /** Environment of the trainer container: which run it works for. */
  public static final String ENV_RUN_NAME = "COSPRESS_RUN_NAME";

  public static final String ENV_RUN_NAMESPACE = "COSPRESS_RUN_NAMESPACE";
  public static final String ENV_RUN_UID = "COSPRESS_RUN_UID";
  public static final String ENV_ATTEMPT = "COSPRESS_ATTEMPT";

  /** Confines manifest paths to their volumes inside a pod (docs/security.md). */
  public static final String ENV_CONFINE_PATHS = "COSPRESS_CONFINE_PATHS";

  /** Port of the trainer's Prometheus endpoint in a pod. */
  public static final int TRAINER_METRICS_PORT = 9400;

  private CosPressConstants() {}
}
