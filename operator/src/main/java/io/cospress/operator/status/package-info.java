/**
 * The reconciler's pure decisions about a run's status: why a trainer pod failed, whether to retry
 * it, which phase the run is in, and the conditions and operator-owned status fields that follow.
 * Nothing here calls the Kubernetes API, so every rule can be tested with plain objects.
 */
package io.cospress.operator.status;
