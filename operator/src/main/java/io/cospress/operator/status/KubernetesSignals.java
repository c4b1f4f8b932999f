package io.cospress.operator.status;

/**
 * Names Kubernetes components write into pod and Job status that the operator's decisions read.
 * They are API-visible strings defined upstream (k8s.io/api core/v1 and batch/v1 types, the kubelet
 * and the node lifecycle controller), so they are stable across releases.
 */
public final class KubernetesSignals {

  public static final String TRUE = "True";
  public static final String FALSE = "False";

  // Pod conditions.
  public static final String POD_SCHEDULED = "PodScheduled";
  public static final String DISRUPTION_TARGET = "DisruptionTarget";

  // Reasons of the DisruptionTarget pod condition (Kubernetes 1.26+, GA in 1.31).
  public static final String PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";
  public static final String EVICTION_BY_EVICTION_API = "EvictionByEvictionAPI";
  public static final String TERMINATION_BY_KUBELET = "TerminationByKubelet";
  public static final String DELETION_BY_TAINT_MANAGER = "DeletionByTaintManager";
  public static final String DELETION_BY_POD_GC = "DeletionByPodGC";

  // Reasons of the PodScheduled=False condition.
  public static final String UNSCHEDULABLE = "Unschedulable";

  // Values of pod status.reason.
  public static final String EVICTED = "Evicted";
  public static final String NODE_LOST = "NodeLost";
  public static final String UNEXPECTED_ADMISSION_ERROR = "UnexpectedAdmissionError";
  public static final String NODE_SHUTDOWN_TERMINATED = "Terminated";
  public static final String NODE_SHUTDOWN_REJECTED = "NodeShutdown";

  // Pod phases.
  public static final String PHASE_PENDING = "Pending";
  public static final String PHASE_RUNNING = "Running";
  public static final String PHASE_SUCCEEDED = "Succeeded";
  public static final String PHASE_FAILED = "Failed";

  // Container termination.
  public static final String OOM_KILLED = "OOMKilled";
  public static final int EXIT_SIGKILL = 128 + 9;
  public static final int EXIT_SIGTERM = 128 + 15;

  // Job conditions and their reasons.
  public static final String JOB_COMPLETE = "Complete";
  public static final String JOB_FAILED = "Failed";
  public static final String JOB_FAILURE_TARGET = "FailureTarget";
  public static final String JOB_SUSPENDED = "Suspended";
  public static final String JOB_DEADLINE_EXCEEDED = "DeadlineExceeded";

  private KubernetesSignals() {}
}
