package io.cospress.trainer.report;

import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;

/**
 * The part of a run's status the trainer owns (docs/status-model.md). {@code state} is for local
 * display only (Running, Succeeded, Failed, Stopped); in a cluster the operator owns the phase.
 */
public record TrainerReport(
    String state,
    String message,
    ProgressStatus progress,
    MetricsStatus metrics,
    CheckpointStatus checkpoint) {}
