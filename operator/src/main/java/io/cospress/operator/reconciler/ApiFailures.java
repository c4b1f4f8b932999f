package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import java.util.stream.Collectors;

/** One line for a status message from what made a reconciliation fail. */
final class ApiFailures {

  private ApiFailures() {}

  /** JOSDK wraps what the reconciliation threw, so the cause chain is searched. */
  static String describe(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ActionFailedException) {
        return cause.getMessage();
      }
      if (cause instanceof AggregatedOperatorException aggregated) {
        // Dependent resources of the workflow, e.g. the trainer's Role, keyed by their names.
        return aggregated.getAggregatedExceptions().entrySet().stream()
            .map(ApiFailures::describeDependent)
            .collect(Collectors.joining("; "));
      }
      if (cause instanceof KubernetesClientException api) {
        return describeApi(api);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return failure.getClass().getSimpleName()
        + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  static String describe(KubernetesClientException failure) {
    return describeApi(failure);
  }

  private static String describeDependent(Map.Entry<String, Exception> failed) {
    return "applying " + failed.getKey() + " failed: " + describe(failed.getValue());
  }

  private static String describeApi(KubernetesClientException failure) {
    String message =
        failure.getStatus() != null && failure.getStatus().getMessage() != null
            ? failure.getStatus().getMessage()
            : failure.getMessage();
    return failure.getCode() > 0 ? "HTTP " + failure.getCode() + ": " + message : message;
  }
}
