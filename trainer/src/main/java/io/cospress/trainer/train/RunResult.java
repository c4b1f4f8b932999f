package io.cospress.trainer.train;

import io.cospress.api.v1alpha1.MetricsStatus;
import java.nio.file.Path;

/**
 * What a session ended with.
 *
 * @param completed false when it stopped early on request (after checkpointing)
 * @param finalStudent the trained student file, when completed
 */
public record RunResult(
    boolean completed,
    int epoch,
    long step,
    double learningRate,
    MetricsStatus metrics,
    Path finalStudent,
    Path checkpointDir) {}
