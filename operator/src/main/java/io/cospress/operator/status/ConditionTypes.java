package io.cospress.operator.status;

/** Types of the conditions the operator maintains on a run (docs/status-model.md). */
public final class ConditionTypes {

  /** True once the run succeeded; read by Argo CD and people as "done and good". */
  public static final String READY = "Ready";

  /** True while the operator still drives the run (kstatus: in progress). */
  public static final String RECONCILING = "Reconciling";

  /** True when the run failed and will not progress without a change (kstatus: failed). */
  public static final String STALLED = "Stalled";

  /** Whether the current trainer pod is bound to a node. */
  public static final String SCHEDULED = "Scheduled";

  /** Whether a trainer pod is running. */
  public static final String TRAINING = "Training";

  /** Whether the trainer has written a checkpoint a restart can resume from. */
  public static final String CHECKPOINT_SAVED = "CheckpointSaved";

  private ConditionTypes() {}
}
