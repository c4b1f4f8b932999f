package io.cospress.trainer.report;

import java.time.Duration;

/** Where the trainer reports progress, metrics and checkpoints. */
public interface StatusSink extends AutoCloseable {

  /**
   * Publishes a report.
   *
   * @param milestone true at epoch ends, checkpoints and the finish: always delivered; other
   *     reports may be dropped by rate limiting or replaced by a newer one before delivery
   */
  void report(TrainerReport report, boolean milestone);

  /**
   * Waits, at most {@code maxWait}, until the reports handed in so far are delivered. A sink that
   * delivers as it is called is always done.
   *
   * @return true when they are delivered
   */
  default boolean flush(Duration maxWait) {
    return true;
  }

  /** Delivers what it can (a bounded wait) and releases the sink. */
  @Override
  default void close() {}
}
