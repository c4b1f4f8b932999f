/**
 * The objects a run's trainer needs besides its Job: the manifest ConfigMap and the trainer's
 * ServiceAccount, Role and RoleBinding, as JOSDK dependent resources of the run's workflow. JOSDK
 * server-side applies each under the operator's field manager before every reconciliation and
 * watches them (label {@code app.kubernetes.io/managed-by=cospress-operator}), so an object deleted
 * or edited by hand is put back within one reconciliation, not only when the next attempt starts.
 *
 * <p>The trainer Job is not one of them: Kueue owns its {@code spec.suspend} after creation, and a
 * dependent that keeps applying the desired Job would take Kueue's admission away again; attempts
 * are also numbered and created once each, which the planner decides.
 */
package io.cospress.operator.reconciler.dependent;
