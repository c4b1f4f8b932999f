package io.cospress.operator.status;

/**
 * Names Kubernetes components write into pod and Job status that the operator's decisions read.
 * They are API-visible strings defined upstream (k8s.io/api core/v1 and batch/v1 types, the kubelet
 * and the node lifecycle controller), so they are stable across releases.
 */
final class KubernetesSignals {

  static final String TRUE = "True";
  static final String FALSE = "False";

  // Pod conditions.
  static final String POD_SCHEDULED = "PodScheduled";
  static final String DISRUPTION_TARGET = "DisruptionTarget";

  // Reasons of the DisruptionTarget pod condition (Kubernetes 1.26+, GA in 1.31).
  static final String PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";
  static final String EVICTION_BY_EVICTION_API = "EvictionByEvictionAPI";
  static final String TERMINATION_BY_KUBELET = "TerminationByKubelet";
  static final String DELETION_BY_TAINT_MANAGER = "DeletionByTaintManager";
  static final String DELETION_BY_POD_GC = "DeletionByPodGC";

  // Reasons of the PodScheduled=False condition.
  static final String UNSCHEDULABLE = "Unschedulable";

  // Values of pod status.reason.
  static final String EVICTED = "Evicted";
  static final String NODE_LOST = "NodeLost";
  static final String UNEXPECTED_ADMISSION_ERROR = "UnexpectedAdmissionError";
  static final String NODE_SHUTDOWN_TERMINATED = "Terminated";
  static final String NODE_SHUTDOWN_REJECTED = "NodeShutdown";

  // Pod phases.
  static final String PHASE_PENDING = "Pending";
  static final String PHASE_RUNNING = "Running";
  static final String PHASE_SUCCEEDED = "Succeeded";
  static final String PHASE_FAILED = "Failed";

  // Container termination.
  static final String OOM_KILLED = "OOMKilled";
  static final int EXIT_SIGKILL = 128 + 9;
  static final int EXIT_SIGTERM = 128 + 15;

  // Job conditions and their reasons.
  static final String JOB_COMPLETE = "Complete";
  static final String JOB_FAILED = "Failed";
  static final String JOB_FAILURE_TARGET = "FailureTarget";
  static final String JOB_SUSPENDED = "Suspended";
  static final String JOB_DEADLINE_EXCEEDED = "DeadlineExceeded";

  private KubernetesSignals() {}
}
