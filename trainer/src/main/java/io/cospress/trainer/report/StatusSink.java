package io.cospress.trainer.report;

/** Where the trainer reports progress, metrics and checkpoints. */
public interface StatusSink extends AutoCloseable {

  /**
   * Publishes a report.
   *
   * @param milestone true at epoch ends, checkpoints and the finish: always delivered; other
   *     reports may be dropped by rate limiting
   */
  void report(TrainerReport report, boolean milestone);

  @Override
  default void close() {}
}
