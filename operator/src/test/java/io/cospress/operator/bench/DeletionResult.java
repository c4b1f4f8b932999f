package io.cospress.operator.bench;

/**
 * What deleting the fleet measured.
 *
 * @param runsGoneSeconds from the delete request until no run was left
 * @param idleAfterSeconds from the delete request until the last second in which the operator
 *     reconciled or used more than {@link ScaleRound#ACTIVE_CPU_SHARE} of a core; NaN if it never
 *     went quiet within the limit
 * @param quietCpuShare the operator's CPU share of one core over the quiet window that followed
 * @param operatorCpuSeconds operator CPU from the delete request to the end of the quiet window
 */
record DeletionResult(
    int runs,
    double runsGoneSeconds,
    double idleAfterSeconds,
    double quietCpuShare,
    double operatorCpuSeconds) {}
