package io.cospress.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kstatus's {@code Compute} for a custom resource, as Flux and {@code kubectl wait --for} style
 * tools read a DistillationRun. A transcription of the rules of sigs.k8s.io/cli-utils, package
 * {@code pkg/kstatus/status} ({@code status.go: Compute, checkReadyCondition}; {@code generic.go:
 * checkGenericProperties, checkGeneration}), in their order:
 *
 * <ol>
 *   <li>{@code metadata.deletionTimestamp} set: Terminating.
 *   <li>{@code metadata.generation} and {@code status.observedGeneration} both present and
 *       different: InProgress ("latest generation not observed"). A missing observedGeneration
 *       skips this check.
 *   <li>The first condition in list order that is {@code Reconciling=True} (InProgress) or {@code
 *       Stalled=True} (Failed) decides.
 *   <li>No type-specific rules exist for custom resources.
 *   <li>A {@code Ready} condition: True is Current, False or Unknown is InProgress.
 *   <li>Otherwise Current: "the absence of any known conditions means the resource is current".
 * </ol>
 */
final class Kstatus {

  /** kstatus's statuses that a resource in the cluster can have. */
  enum Status {
    IN_PROGRESS,
    FAILED,
    CURRENT,
    TERMINATING
  }

  private Kstatus() {}

  static Status compute(JsonNode resource) {
    JsonNode metadata = resource.path("metadata");
    if (metadata.hasNonNull("deletionTimestamp")
        && !metadata.path("deletionTimestamp").asText().isEmpty()) {
      return Status.TERMINATING;
    }
    JsonNode status = resource.path("status");
    if (metadata.path("generation").isIntegralNumber()
        && status.path("observedGeneration").isIntegralNumber()
        && metadata.path("generation").asLong() != status.path("observedGeneration").asLong()) {
      return Status.IN_PROGRESS;
    }
    for (JsonNode condition : status.path("conditions")) {
      boolean holds = "True".equals(condition.path("status").asText());
      String type = condition.path("type").asText();
      if (holds && "Reconciling".equals(type)) {
        return Status.IN_PROGRESS;
      }
      if (holds && "Stalled".equals(type)) {
        return Status.FAILED;
      }
    }
    for (JsonNode condition : status.path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        switch (condition.path("status").asText()) {
          case "True":
            return Status.CURRENT;
          case "False":
          case "Unknown":
            return Status.IN_PROGRESS;
          default:
            break;
        }
      }
    }
    return Status.CURRENT;
  }
}
