package io.cospress.operator.plan;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.KubernetesSignals;
import io.cospress.operator.status.PhaseResolution;
import io.cospress.operator.status.PodFacts;
import io.cospress.operator.status.PodFailureClassifier;
import io.cospress.operator.status.RetryDecision;
import io.cospress.operator.status.StatusReasons;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Derives a run's phase, reason and message from what the reconciler observed.
 *
 * <p>A run whose status already reports Succeeded or Failed never gets here: {@link RunPlanner}
 * keeps that phase ({@link #keptFinal}). Otherwise checks run in this order, the first that applies
 * wins:
 *
 * <ol>
 *   <li>A decision to give up on a failure → Failed with the decision's reason and message.
 *   <li>A Job with condition Complete=True → Succeeded.
 *   <li>{@code spec.suspend} → Suspended, with reason {@code Suspending} while a trainer pod is
 *       still checkpointing and exiting (also once its Job is gone) or the Job is still live,
 *       {@code Suspended} afterwards.
 *   <li>A decision to retry → Pending with reason {@code BackoffBeforeRetry}.
 *   <li>No Job yet → Pending.
 *   <li>A suspended Job: with a Kueue queue → Queued; without → Pending (the operator is about to
 *       resume it).
 *   <li>A failed Job without a decision yet → Pending with reason {@code AttemptFailed}.
 *   <li>Otherwise the trainer pod decides: unscheduled or starting → Pending (passing the
 *       scheduler's or kubelet's reason and message through), running → Running, exited
 *       successfully → Running until the Job is Complete, failed → Pending until a decision.
 * </ol>
 *
 * <p>Succeeded and Failed are sticky: once reported, they are returned unchanged whatever is
 * observed afterwards. A finished Job may be removed by its TTL or by hand, and re-deriving the
 * phase from what is left would read as "no Job yet" and train again. A spec change after the end
 * does not restart the run either (the status still records the new observedGeneration); training
 * again is a new run.
 */
final class PhaseResolver {

  private PhaseResolver() {}

  /** Resolves the phase for {@code observation}. */
  static PhaseResolution resolve(PhaseFacts observation) {
    RetryDecision decision = observation.failureDecision();
    if (decision != null && !decision.retry()) {
      return new PhaseResolution(RunPhase.Failed, decision.reason(), decision.message());
    }
    Job job = observation.job();
    Pod pod = observation.pod();
    if (job != null && JobFacts.isComplete(job)) {
      return new PhaseResolution(
          RunPhase.Succeeded,
          StatusReasons.TRAINING_COMPLETE,
          "training finished and job " + JobFacts.name(job) + " completed");
    }
    if (observation.suspendRequested()) {
      return suspended(job, pod);
    }
    if (decision != null) {
      return new PhaseResolution(
          RunPhase.Pending, StatusReasons.BACKOFF_BEFORE_RETRY, decision.message());
    }
    if (job == null) {
      return new PhaseResolution(
          RunPhase.Pending, StatusReasons.CREATING_JOB, "creating the trainer job");
    }
    if (JobFacts.isSuspended(job)) {
      return suspendedJob(job, observation.queueName());
    }
    if (JobFacts.failure(job).isPresent()) {
      return attemptFailed(job, pod);
    }
    if (pod == null) {
      return new PhaseResolution(
          RunPhase.Pending,
          StatusReasons.WAITING_FOR_POD,
          "job " + JobFacts.name(job) + " is creating the trainer pod");
    }
    return fromPod(job, pod);
  }

  /**
   * The resolution of a run whose status already reports a terminal phase, which {@link RunPlanner}
   * keeps whatever it observes: the phase with its last reason and message.
   */
  static PhaseResolution keptFinal(DistillationRunStatus previous) {
    RunPhase phase = previous.getPhase();
    if (phase == null || !phase.isTerminal()) {
      throw new IllegalArgumentException("not a final phase: " + phase);
    }
    String reason =
        orDefault(
            previous.getReason(),
            phase == RunPhase.Succeeded ? StatusReasons.TRAINING_COMPLETE : phase.name());
    String message =
        orDefault(previous.getMessage(), "the run " + phase.name().toLowerCase(Locale.ROOT));
    return new PhaseResolution(phase, reason, message);
  }

  private static PhaseResolution suspended(Job job, Pod pod) {
    // A pod that has exited but is still being removed counts too: until it is gone, "Suspended"
    // would not yet mean "no trainer pod left".
    boolean podLive = pod != null && (!PodFacts.hasFinished(pod) || PodFacts.isBeingDeleted(pod));
    boolean jobLive = job != null && !JobFacts.isSuspended(job) && JobFacts.failure(job).isEmpty();
    if (podLive || jobLive) {
      String waitingFor =
          podLive
              ? "trainer pod " + PodFacts.name(pod) + " to checkpoint and exit"
              : "job " + JobFacts.name(job) + " to stop";
      return new PhaseResolution(
          RunPhase.Suspended,
          StatusReasons.SUSPENDING,
          "spec.suspend is true; waiting for " + waitingFor);
    }
    return new PhaseResolution(
        RunPhase.Suspended,
        StatusReasons.SUSPENDED,
        "spec.suspend is true; training resumes from the latest checkpoint when it is set to"
            + " false");
  }

  private static PhaseResolution suspendedJob(Job job, String specQueue) {
    Optional<String> queue =
        JobFacts.kueueQueue(job).or(() -> Optional.ofNullable(specQueue).filter(q -> !q.isBlank()));
    if (queue.isPresent()) {
      // Kueue reports admission on its Workload object, not on the Job, so the Job only tells
      // us that it waits; the Workload has the details.
      return new PhaseResolution(
          RunPhase.Queued,
          StatusReasons.WAITING_FOR_ADMISSION,
          "waiting for Kueue admission in queue " + queue.get());
    }
    return new PhaseResolution(
        RunPhase.Pending,
        StatusReasons.JOB_SUSPENDED,
        "job " + JobFacts.name(job) + " is suspended");
  }

  private static PhaseResolution attemptFailed(Job job, Pod pod) {
    String detail =
        pod != null
            ? PodFailureClassifier.classify(pod, job).message()
            : orDefault(JobFacts.failure(job).get().getMessage(), "no detail");
    return new PhaseResolution(
        RunPhase.Pending,
        StatusReasons.ATTEMPT_FAILED,
        "job " + JobFacts.name(job) + " failed: " + detail + "; deciding whether to retry");
  }

  private static PhaseResolution fromPod(Job job, Pod pod) {
    String phase = PodFacts.phase(pod);
    if (KubernetesSignals.PHASE_PENDING.equals(phase)) {
      return pendingPod(pod);
    }
    if (KubernetesSignals.PHASE_RUNNING.equals(phase)) {
      return runningPod(pod);
    }
    if (KubernetesSignals.PHASE_SUCCEEDED.equals(phase)) {
      // Only the Job's Complete condition makes Succeeded final; until then keep Running so a
      // sticky Succeeded can never be reported for a Job that ends up failing.
      return new PhaseResolution(
          RunPhase.Running,
          StatusReasons.FINISHING,
          "the trainer exited successfully; waiting for job "
              + JobFacts.name(job)
              + " to complete");
    }
    if (KubernetesSignals.PHASE_FAILED.equals(phase)) {
      return attemptFailed(job, pod);
    }
    return new PhaseResolution(
        RunPhase.Running,
        StatusReasons.POD_STATUS_UNKNOWN,
        "the state of trainer pod " + PodFacts.name(pod) + onNode(pod) + " is unknown");
  }

  private static PhaseResolution pendingPod(Pod pod) {
    Optional<PodCondition> scheduled = PodFacts.condition(pod, KubernetesSignals.POD_SCHEDULED);
    if (scheduled.isEmpty()) {
      return new PhaseResolution(
          RunPhase.Pending,
          StatusReasons.WAITING_FOR_SCHEDULER,
          "trainer pod " + PodFacts.name(pod) + " is waiting for the scheduler");
    }
    PodCondition condition = scheduled.get();
    if (!KubernetesSignals.TRUE.equals(condition.getStatus())) {
      // The scheduler's message says what is missing, e.g. "0/3 nodes are available: 3
      // Insufficient nvidia.com/gpu."; pass it on untouched (docs/failure-semantics.md).
      return new PhaseResolution(
          RunPhase.Pending,
          orDefault(condition.getReason(), KubernetesSignals.UNSCHEDULABLE),
          orDefault(
              condition.getMessage(), "trainer pod " + PodFacts.name(pod) + " is not scheduled"));
    }
    Optional<ContainerStateWaiting> waiting = PodFacts.waitingContainer(pod);
    if (waiting.isPresent() && waiting.get().getReason() != null) {
      String reason = waiting.get().getReason();
      return new PhaseResolution(
          RunPhase.Pending,
          reason,
          orDefault(
              waiting.get().getMessage(),
              "trainer pod " + PodFacts.name(pod) + onNode(pod) + ": " + reason));
    }
    return new PhaseResolution(
        RunPhase.Pending,
        StatusReasons.POD_STARTING,
        "trainer pod " + PodFacts.name(pod) + " is starting" + onNode(pod));
  }

  private static PhaseResolution runningPod(Pod pod) {
    Optional<PodCondition> disruption = PodFacts.activeDisruption(pod);
    if (disruption.isPresent()) {
      return new PhaseResolution(
          RunPhase.Running,
          StatusReasons.DISRUPTED,
          "trainer pod "
              + PodFacts.name(pod)
              + " is being stopped ("
              + orDefault(disruption.get().getReason(), "disruption")
              + ") and checkpoints before it exits: "
              + orDefault(disruption.get().getMessage(), "no detail"));
    }
    return new PhaseResolution(
        RunPhase.Running,
        StatusReasons.TRAINING,
        attemptOf(pod) + "training in pod " + PodFacts.name(pod) + onNode(pod));
  }

  private static String attemptOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
    String attempt = labels == null ? null : labels.get(CosPressConstants.LABEL_ATTEMPT);
    return attempt == null ? "" : "attempt " + attempt + " is ";
  }

  private static String onNode(Pod pod) {
    String node = PodFacts.nodeName(pod);
    return node == null || node.isBlank() ? "" : " on node " + node;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
