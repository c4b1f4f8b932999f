package io.cospress.operator.status;

import static io.cospress.operator.status.KubernetesSignals.DELETION_BY_POD_GC;
import static io.cospress.operator.status.KubernetesSignals.DELETION_BY_TAINT_MANAGER;
import static io.cospress.operator.status.KubernetesSignals.EVICTED;
import static io.cospress.operator.status.KubernetesSignals.EVICTION_BY_EVICTION_API;
import static io.cospress.operator.status.KubernetesSignals.EXIT_SIGKILL;
import static io.cospress.operator.status.KubernetesSignals.EXIT_SIGTERM;
import static io.cospress.operator.status.KubernetesSignals.NODE_LOST;
import static io.cospress.operator.status.KubernetesSignals.NODE_SHUTDOWN_REJECTED;
import static io.cospress.operator.status.KubernetesSignals.NODE_SHUTDOWN_TERMINATED;
import static io.cospress.operator.status.KubernetesSignals.OOM_KILLED;
import static io.cospress.operator.status.KubernetesSignals.PREEMPTION_BY_SCHEDULER;
import static io.cospress.operator.status.KubernetesSignals.TERMINATION_BY_KUBELET;
import static io.cospress.operator.status.KubernetesSignals.UNEXPECTED_ADMISSION_ERROR;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Map;
import java.util.Optional;

/**
 * Decides why a trainer attempt failed, from its pod and, when the pod is already gone, its Job.
 *
 * <p>The rules run in this order and the first that matches wins:
 *
 * <ol>
 *   <li><b>Exit code 2 → {@link RestartCause#INVALID_INPUT}.</b> The trainer exits with {@code
 *       EXIT_INVALID_INPUT} (2) only after it rejected the manifest or its data, and says which
 *       field in its termination message. The answer would be the same on every retry, so this wins
 *       even over a disruption that happened to arrive at the same time.
 *   <li><b>Pod condition {@code DisruptionTarget=True}</b>, which Kubernetes (1.26+) adds before it
 *       deletes or terminates a pod on its own initiative; its reason names the initiator:
 *       <ul>
 *         <li>{@code PreemptionByScheduler}: kube-scheduler preempted the pod for a higher priority
 *             one → PREEMPTION.
 *         <li>{@code EvictionByEvictionAPI}: the Eviction API, as used by {@code kubectl drain} and
 *             cluster autoscalers → PREEMPTION.
 *         <li>{@code TerminationByKubelet}: the kubelet's node-pressure eviction or graceful node
 *             shutdown → PREEMPTION.
 *         <li>{@code DeletionByTaintManager}: the taint manager deleted a pod that does not
 *             tolerate a NoExecute taint, in practice {@code node.kubernetes.io/unreachable} or
 *             {@code not-ready} after the default 300 s toleration → NODE_LOSS.
 *         <li>{@code DeletionByPodGC}: pod garbage collection removed a pod bound to a node that no
 *             longer exists or carries the out-of-service taint → NODE_LOSS.
 *       </ul>
 *   <li><b>Pod {@code status.reason}</b>, which the kubelet and node lifecycle controller set on
 *       clusters without the condition:
 *       <ul>
 *         <li>{@code Evicted}: kubelet node-pressure eviction → PREEMPTION.
 *         <li>{@code Terminated} / {@code NodeShutdown}: the kubelet terminated the pod, or refused
 *             to admit it, because its node is shutting down gracefully → PREEMPTION (the same
 *             cause as {@code TerminationByKubelet} above).
 *         <li>{@code NodeLost}: the node lifecycle controller marks pods of an unreachable node →
 *             NODE_LOSS.
 *         <li>{@code UnexpectedAdmissionError}: the kubelet could not admit the pod it was given,
 *             typically because the GPU device plugin had not re-registered after a kubelet restart
 *             → NODE_LOSS, since a different node would have run it.
 *       </ul>
 *   <li><b>Container exit code.</b> 137 is SIGKILL (128 + 9) and 143 is SIGTERM (128 + 15):
 *       <ul>
 *         <li>137 with reason {@code OOMKilled}: the container runtime killed the trainer for
 *             exceeding its memory limit → APPLICATION_ERROR. The run asked for too little memory
 *             (or leaks), which a retry repeats, so it must spend the budget.
 *         <li>143, or 137 without OOMKilled (SIGKILL once the grace period ran out), while a
 *             DisruptionTarget condition with a reason unknown to this version is present →
 *             PREEMPTION: Kubernetes signalled the pod, the trainer did not fail by itself.
 *         <li>Any other non-zero exit → APPLICATION_ERROR.
 *       </ul>
 *   <li><b>Pod deleted while running</b> (deletionTimestamp set, no exit code yet, no condition):
 *       someone removed it, as on clusters older than 1.26 where preemption and eviction leave no
 *       condition → PREEMPTION.
 *   <li><b>No pod.</b> A pod that failed by itself stays in the API (the Job has backoffLimit 0 and
 *       does not delete it), so a failed attempt without its pod means the pod was deleted from
 *       outside and already removed, typically by preemption right as the Job controller released
 *       its tracking finalizer → PREEMPTION. The exception is a Job that hit its {@code
 *       activeDeadlineSeconds} (condition reason {@code DeadlineExceeded}) → APPLICATION_ERROR.
 *   <li>Anything else (a Failed pod without a container exit code) → APPLICATION_ERROR, so an
 *       unexplained failure still draws down the budget instead of retrying forever.
 * </ol>
 */
public final class PodFailureClassifier {

  /** The trainer's {@code EXIT_INVALID_INPUT}: the manifest or its data was rejected. */
  public static final int EXIT_INVALID_INPUT = 2;

  private static final Map<String, RestartCause> DISRUPTION_REASONS =
      Map.of(
          PREEMPTION_BY_SCHEDULER, RestartCause.PREEMPTION,
          EVICTION_BY_EVICTION_API, RestartCause.PREEMPTION,
          TERMINATION_BY_KUBELET, RestartCause.PREEMPTION,
          DELETION_BY_TAINT_MANAGER, RestartCause.NODE_LOSS,
          DELETION_BY_POD_GC, RestartCause.NODE_LOSS);

  private static final Map<String, RestartCause> POD_STATUS_REASONS =
      Map.of(
          EVICTED, RestartCause.PREEMPTION,
          NODE_SHUTDOWN_TERMINATED, RestartCause.PREEMPTION,
          NODE_SHUTDOWN_REJECTED, RestartCause.PREEMPTION,
          NODE_LOST, RestartCause.NODE_LOSS,
          UNEXPECTED_ADMISSION_ERROR, RestartCause.NODE_LOSS);

  static final String REASON_TRAINER_ERROR = "TrainerError";
  static final String REASON_SIGNALLED = "TerminatedBySignal";
  static final String REASON_POD_DELETED = "PodDeleted";
  static final String REASON_POD_GONE = "PodGone";
  static final String REASON_FAILED_WITHOUT_EXIT_CODE = "FailedWithoutExitCode";

  private PodFailureClassifier() {}

  /**
   * Classifies a failed attempt.
   *
   * @param pod the attempt's trainer pod, or null if it no longer exists
   * @param job the attempt's Job, or null; read only when the pod is gone
   */
  public static FailureClassification classify(Pod pod, Job job) {
    if (pod == null) {
      return classifyWithoutPod(job);
    }
    Optional<ContainerStateTerminated> failed = PodFacts.failedContainer(pod);
    if (failed.isPresent() && PodFacts.exitCode(failed.get()) == EXIT_INVALID_INPUT) {
      return invalidInput(failed.get());
    }
    Optional<PodCondition> disruption = PodFacts.activeDisruption(pod);
    if (disruption.isPresent() && DISRUPTION_REASONS.containsKey(disruption.get().getReason())) {
      PodCondition condition = disruption.get();
      return new FailureClassification(
          DISRUPTION_REASONS.get(condition.getReason()),
          condition.getReason(),
          orDefault(condition.getMessage(), "pod " + PodFacts.name(pod) + " was disrupted"));
    }
    String statusReason = PodFacts.statusReason(pod);
    if (statusReason != null && POD_STATUS_REASONS.containsKey(statusReason)) {
      return new FailureClassification(
          POD_STATUS_REASONS.get(statusReason),
          statusReason,
          orDefault(
              PodFacts.statusMessage(pod), "pod " + PodFacts.name(pod) + ": " + statusReason));
    }
    if (failed.isPresent()) {
      return classifyExit(failed.get(), disruption);
    }
    if (disruption.isPresent() || PodFacts.isBeingDeleted(pod)) {
      return new FailureClassification(
          RestartCause.PREEMPTION,
          disruption
              .map(PodCondition::getReason)
              .filter(r -> !r.isBlank())
              .orElse(REASON_POD_DELETED),
          disruption
              .map(PodCondition::getMessage)
              .orElse("pod " + PodFacts.name(pod) + " was deleted while it was running"));
    }
    return new FailureClassification(
        RestartCause.APPLICATION_ERROR,
        REASON_FAILED_WITHOUT_EXIT_CODE,
        orDefault(
            PodFacts.statusMessage(pod),
            "pod " + PodFacts.name(pod) + " failed without a container exit code"));
  }

  private static FailureClassification classifyExit(
      ContainerStateTerminated terminated, Optional<PodCondition> disruption) {
    int exitCode = PodFacts.exitCode(terminated);
    boolean oomKilled = OOM_KILLED.equals(terminated.getReason());
    if (oomKilled) {
      return new FailureClassification(
          RestartCause.APPLICATION_ERROR,
          OOM_KILLED,
          "the trainer ran out of memory (exit code "
              + exitCode
              + "); raise spec.resources memory or lower the batch size");
    }
    boolean signalled = exitCode == EXIT_SIGTERM || exitCode == EXIT_SIGKILL;
    if (signalled && disruption.isPresent()) {
      PodCondition condition = disruption.get();
      return new FailureClassification(
          RestartCause.PREEMPTION,
          orDefault(condition.getReason(), REASON_SIGNALLED),
          orDefault(
              condition.getMessage(),
              "the trainer was stopped by a signal (exit code " + exitCode + ")"));
    }
    return new FailureClassification(
        RestartCause.APPLICATION_ERROR,
        REASON_TRAINER_ERROR,
        withTerminationMessage("the trainer exited with code " + exitCode, terminated));
  }

  private static FailureClassification invalidInput(ContainerStateTerminated terminated) {
    String message = terminated.getMessage();
    return new FailureClassification(
        RestartCause.INVALID_INPUT,
        StatusReasons.INVALID_INPUT,
        message == null || message.isBlank()
            ? "the trainer rejected its input (exit code 2); see the trainer pod's log"
            : message.strip());
  }

  private static FailureClassification classifyWithoutPod(Job job) {
    Optional<JobCondition> failure = job == null ? Optional.empty() : JobFacts.failure(job);
    if (failure.isPresent()
        && KubernetesSignals.JOB_DEADLINE_EXCEEDED.equals(failure.get().getReason())) {
      return new FailureClassification(
          RestartCause.APPLICATION_ERROR,
          KubernetesSignals.JOB_DEADLINE_EXCEEDED,
          orDefault(failure.get().getMessage(), "the trainer ran past its deadline"));
    }
    String jobName = job == null ? "" : " of job " + JobFacts.name(job);
    return new FailureClassification(
        RestartCause.PREEMPTION,
        REASON_POD_GONE,
        "the trainer pod" + jobName + " was deleted before the operator saw why it stopped");
  }

  private static String withTerminationMessage(String summary, ContainerStateTerminated state) {
    String message = state.getMessage();
    return message == null || message.isBlank() ? summary : summary + ": " + message.strip();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
