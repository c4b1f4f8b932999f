package io.cospress.operator.status;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;

/** Trainer pods in the states the tests need, shaped as Kubernetes reports them. */
public final class TrainerPods {

  public static final String POD_NAME = "resnet-kd-a2-7xk2p";
  public static final String NODE_NAME = "gpu-node-1";

  private TrainerPods() {}

  /** A pod of attempt 2 in {@code phase}, bound to {@link #NODE_NAME}, without conditions. */
  public static PodBuilder inPhase(String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(POD_NAME)
        .withNamespace("ml")
        .addToLabels(CosPressConstants.LABEL_ATTEMPT, "2")
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE_NAME)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  /** A Failed pod whose trainer container exited with {@code exitCode}. */
  public static PodBuilder failedWithExit(int exitCode, String reason, String message) {
    return inPhase("Failed")
        .editStatus()
        .addToContainerStatuses(terminatedContainer(exitCode, reason, message))
        .endStatus();
  }

  /** A Failed pod with a True DisruptionTarget condition and the trainer's exit code. */
  public static Pod disrupted(String disruptionReason, String message, int exitCode) {
    return failedWithExit(exitCode, "Error", null)
        .editStatus()
        .addToConditions(disruptionTarget("True", disruptionReason, message))
        .endStatus()
        .build();
  }

  /** A Failed pod whose status.reason and status.message were set by a Kubernetes component. */
  public static Pod failedWithStatusReason(String reason, String message, int exitCode) {
    return failedWithExit(exitCode, "Error", null)
        .editStatus()
        .withReason(reason)
        .withMessage(message)
        .endStatus()
        .build();
  }

  public static PodCondition disruptionTarget(String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType("DisruptionTarget")
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2025-03-01T10:00:00Z")
        .build();
  }

  public static PodCondition podScheduled(String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType("PodScheduled")
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  /** A pod the scheduler could not place, with the scheduler's own message. */
  public static Pod unschedulable(String schedulerMessage) {
    return inPhase("Pending")
        .editSpec()
        .withNodeName(null)
        .endSpec()
        .editStatus()
        .addToConditions(podScheduled("False", "Unschedulable", schedulerMessage))
        .endStatus()
        .build();
  }

  public static Pod running() {
    return inPhase("Running")
        .editStatus()
        .addToConditions(podScheduled("True", null, null))
        .endStatus()
        .build();
  }

  public static ContainerStatus terminatedContainer(int exitCode, String reason, String message) {
    return new ContainerStatusBuilder()
        .withName("trainer")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(reason)
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }
}
