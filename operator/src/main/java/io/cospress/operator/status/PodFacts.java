package io.cospress.operator.status;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;

/** Null-tolerant reads of a pod's status; an API object may leave any of these fields out. */
public final class PodFacts {

  private PodFacts() {}

  public static String phase(Pod pod) {
    PodStatus status = pod.getStatus();
    return status == null ? null : status.getPhase();
  }

  public static String statusReason(Pod pod) {
    PodStatus status = pod.getStatus();
    return status == null ? null : status.getReason();
  }

  public static String statusMessage(Pod pod) {
    PodStatus status = pod.getStatus();
    return status == null ? null : status.getMessage();
  }

  public static String name(Pod pod) {
    return pod.getMetadata() == null ? "" : pod.getMetadata().getName();
  }

  public static String nodeName(Pod pod) {
    return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
  }

  /** Whether all the pod's containers have ended: phase Succeeded or Failed. */
  public static boolean hasFinished(Pod pod) {
    String phase = phase(pod);
    return KubernetesSignals.PHASE_SUCCEEDED.equals(phase)
        || KubernetesSignals.PHASE_FAILED.equals(phase);
  }

  public static boolean isBeingDeleted(Pod pod) {
    return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
  }

  public static Optional<PodCondition> condition(Pod pod, String type) {
    PodStatus status = pod.getStatus();
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /**
   * The DisruptionTarget condition if it is True. The disruption controller resets it to False when
   * a planned disruption did not happen (for example an eviction refused by a PodDisruptionBudget),
   * so only True means the pod is really being taken away.
   */
  public static Optional<PodCondition> activeDisruption(Pod pod) {
    return condition(pod, KubernetesSignals.DISRUPTION_TARGET)
        .filter(c -> KubernetesSignals.TRUE.equals(c.getStatus()));
  }

  /**
   * The first container that terminated with a non-zero exit code. The trainer pod has a single
   * container, so this is the trainer; with restartPolicy Never its final state is in {@code
   * state}, while {@code lastState} covers a container the kubelet restarted in place.
   */
  public static Optional<ContainerStateTerminated> failedContainer(Pod pod) {
    for (ContainerStatus container : containerStatuses(pod)) {
      Optional<ContainerStateTerminated> terminated = terminated(container);
      if (terminated.isPresent() && exitCode(terminated.get()) != 0) {
        return terminated;
      }
    }
    return Optional.empty();
  }

  /** The first container the kubelet is still preparing, such as one pulling its image. */
  public static Optional<ContainerStateWaiting> waitingContainer(Pod pod) {
    for (ContainerStatus container : containerStatuses(pod)) {
      if (container.getState() != null && container.getState().getWaiting() != null) {
        return Optional.of(container.getState().getWaiting());
      }
    }
    return Optional.empty();
  }

  public static int exitCode(ContainerStateTerminated terminated) {
    return terminated.getExitCode() == null ? 0 : terminated.getExitCode();
  }

  private static Optional<ContainerStateTerminated> terminated(ContainerStatus container) {
    if (container.getState() != null && container.getState().getTerminated() != null) {
      return Optional.of(container.getState().getTerminated());
    }
    if (container.getLastState() != null && container.getLastState().getTerminated() != null) {
      return Optional.of(container.getLastState().getTerminated());
    }
    return Optional.empty();
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    PodStatus status = pod.getStatus();
    if (status == null || status.getContainerStatuses() == null) {
      return List.of();
    }
    return status.getContainerStatuses();
  }
}
