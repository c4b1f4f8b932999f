package io.cospress.trainer.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The checkpoints a restart would resume from: the {@code checkpoint} of a report, with the field
 * names and meaning of the run's {@code status.checkpoint}.
 *
 * @param latest directory name of the latest complete checkpoint
 * @param time when it was written (RFC 3339)
 * @param best directory name of the checkpoint with the best student kNN accuracy, or null
 * @param bestKnnAccuracy that checkpoint's accuracy, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointReport(
    String latest, Integer epoch, Long step, String time, String best, Double bestKnnAccuracy) {

  /** The same latest checkpoint with {@code best} as the best one. */
  public CheckpointReport withBest(String name, Double accuracy) {
    return new CheckpointReport(latest, epoch, step, time, name, accuracy);
  }
}
