package io.cospress.trainer.train;

import ai.djl.Device;
import java.nio.file.Path;

/**
 * How to run a manifest on this machine.
 *
 * @param outputDir what a relative checkpoint path resolves against; the checkpoint directory is
 *     the run's own directory (checkpoints, status.json and the final student)
 * @param metricsPort Prometheus port; negative disables the endpoint, 0 picks a free port
 * @param workers data-loading threads
 * @param stopAfterSteps stop as if SIGTERM arrived after this many steps of this process (tests and
 *     drills); null runs to the end
 */
public record RunOptions(
    Path outputDir, Device device, int metricsPort, int workers, Long stopAfterSteps) {

  public static int defaultWorkers() {
    // The step's own thread pool needs the cores; 28-224 px decoding needs little.
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }
}
