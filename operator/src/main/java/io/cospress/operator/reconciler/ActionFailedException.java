package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** A request one of a plan's actions needed failed; the message says which and why. */
final class ActionFailedException extends RuntimeException {

  ActionFailedException(String action, KubernetesClientException cause) {
    super(action + " failed: " + ApiFailures.describe(cause), cause);
  }
}
