/**
 * Observe, plan, act: what the operator does with a run is decided here, by pure functions of what
 * was observed. {@link io.cospress.operator.plan.RunObservation} holds everything a decision needs;
 * {@link io.cospress.operator.plan.RunPlanner} turns it into a {@link
 * io.cospress.operator.plan.RunPlan} (the status to write and the {@link
 * io.cospress.operator.plan.RunAction}s to carry out); {@link
 * io.cospress.operator.plan.FailedReconcile} says what the status is when carrying them out failed.
 * The reconciler gathers observations and executes plans, nothing more.
 */
package io.cospress.operator.plan;
