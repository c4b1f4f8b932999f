package io.cospress.trainer.report;

/**
 * The part of a run's status the trainer owns (docs/status-model.md). {@code state} is for local
 * display only (Running, Succeeded, Failed, Stopped); in a cluster the operator owns the phase.
 *
 * @param message a one-line note for people (a milestone, the cause of a failure), or null
 * @param checkpoint null until the first checkpoint is written or resumed from
 */
public record TrainerReport(
    String state,
    String message,
    ProgressReport progress,
    MetricsReport metrics,
    CheckpointReport checkpoint) {}
