package io.cospress.trainer.train;

import io.cospress.trainer.report.MetricsReport;
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
    MetricsReport metrics,
    Path finalStudent,
    Path checkpointDir) {}
