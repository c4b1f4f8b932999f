package io.cospress.operator.status;

/**
 * The UpperCamelCase reasons the operator writes to {@code status.reason} and its conditions, in
 * addition to those it passes through from Kubernetes (such as {@code Unschedulable} from the
 * scheduler or {@code ImagePullBackOff} from the kubelet).
 */
public final class StatusReasons {

  /** Pending: the attempt's Job does not exist yet. */
  public static final String CREATING_JOB = "CreatingJob";

  /** Pending: the Job exists but its pod does not yet. */
  public static final String WAITING_FOR_POD = "WaitingForPod";

  /** Pending: the pod exists and the scheduler has not looked at it yet. */
  public static final String WAITING_FOR_SCHEDULER = "WaitingForScheduler";

  /** Pending: the pod is bound and its containers are being started. */
  public static final String POD_STARTING = "PodStarting";

  /** Pending: the Job is suspended but not by Kueue, usually for an instant while resuming. */
  public static final String JOB_SUSPENDED = "JobSuspended";

  /** Pending: an attempt failed and the next one waits out its backoff. */
  public static final String BACKOFF_BEFORE_RETRY = "BackoffBeforeRetry";

  /** Pending: the pod failed and the Job controller or the operator has yet to act on it. */
  public static final String ATTEMPT_FAILED = "AttemptFailed";

  /**
   * Pending: the attempt starts again (a suspension was lifted) once the trainer pod of its deleted
   * Job has checkpointed and exited.
   */
  public static final String TRAINER_STOPPING = "TrainerStopping";

  /** Queued: the Job waits for admission by Kueue. */
  public static final String WAITING_FOR_ADMISSION = "WaitingForAdmission";

  /** Running: the trainer is training. */
  public static final String TRAINING = "Training";

  /** Running: Kubernetes is taking the pod away; the trainer checkpoints before it exits. */
  public static final String DISRUPTED = "Disrupted";

  /** Running: the trainer exited successfully and the Job has yet to be marked Complete. */
  public static final String FINISHING = "Finishing";

  /** Running: the pod's node stopped reporting, so its state is unknown. */
  public static final String POD_STATUS_UNKNOWN = "PodStatusUnknown";

  /** Succeeded. */
  public static final String TRAINING_COMPLETE = "TrainingComplete";

  /** Failed: the trainer rejected the manifest or its data. */
  public static final String INVALID_INPUT = "InvalidInput";

  /** Failed: the run's checkpoint claim does not exist, so no pod of it could ever start. */
  public static final String CHECKPOINT_VOLUME_MISSING = "CheckpointVolumeMissing";

  /**
   * Any phase: a Kubernetes API request the reconciliation needed failed; the message names it. The
   * operator retries with backoff and reports the run Stalled once it stops retrying quickly.
   */
  public static final String RECONCILE_ERROR = "ReconcileError";

  /** Event: a trainer pod has been pending for longer than the operator's limit. */
  public static final String STALLED = "Stalled";

  /** Failed: application errors and node loss used up {@code spec.maxRestarts}. */
  public static final String RESTART_BUDGET_EXHAUSTED = "RestartBudgetExhausted";

  /** Suspended: {@code spec.suspend} is true and the trainer is still checkpointing and exiting. */
  public static final String SUSPENDING = "Suspending";

  /** Suspended: {@code spec.suspend} is true and nothing runs. */
  public static final String SUSPENDED = "Suspended";

  private StatusReasons() {}
}
