package io.cospress.trainer.report;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers reports to a slow sink (the API server) from a thread of its own, so reporting never
 * holds up training: {@link #report} only replaces the one pending report and returns. Reports are
 * snapshots of where training stands, so while a delivery is in flight newer reports coalesce into
 * the latest (a milestone among them makes it a milestone), and a backlog can never build up.
 *
 * <p>A delivery that fails (the sink throws) is retried after {@code retryDelay} unless a newer
 * report has replaced it, so the last report of a run still arrives once the API server is back,
 * while the process lives. {@link #flush} waits a bounded time for what was handed in, and returns
 * at once while the sink is unresponsive (its last delivery failed, or the last flush timed out,
 * and nothing was delivered since): an unreachable API server must not cost training time at every
 * epoch. {@link #close} flushes with its own bound, then lets the thread go.
 */
public final class BackgroundSink implements StatusSink {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundSink.class);

  private final StatusSink delegate;
  private final Duration retryDelay;
  private final Duration closeWait;
  private final Thread worker;

  // Guarded by this.
  private Pending pending;
  private long handedIn;
  private long delivered;

  /** Set when a delivery fails or a flush times out; cleared when a delivery succeeds. */
  private boolean unresponsive;

  private boolean closed;

  /** A report waiting for delivery, numbered in the order reports were handed in. */
  private record Pending(TrainerReport report, boolean milestone, long number) {}

  /**
   * @param retryDelay how long a failed delivery waits before it is tried again
   * @param closeWait how long {@link #close} waits for the last report; longer than {@code
   *     retryDelay}, so a sink failing at the finish gets another try
   */
  public BackgroundSink(StatusSink delegate, Duration retryDelay, Duration closeWait) {
    this.delegate = delegate;
    this.retryDelay = retryDelay;
    this.closeWait = closeWait;
    this.worker = new Thread(this::deliverUntilClosed, "cospress-status-report");
    // A delivery stuck in the network must not keep a finished trainer alive.
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public synchronized void report(TrainerReport report, boolean milestone) {
    if (closed) {
      return;
    }
    boolean wasMilestone = pending != null && pending.milestone();
    pending = new Pending(report, milestone || wasMilestone, ++handedIn);
    notifyAll();
  }

  @Override
  public synchronized boolean flush(Duration maxWait) {
    long target = handedIn;
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (delivered < target && !unresponsive) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        unresponsive = true; // the next flush does not wait for this sink again
        return false;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return delivered >= target;
  }

  private void deliverUntilClosed() {
    Pending next;
    while ((next = take()) != null) {
      try {
        delegate.report(next.report(), next.milestone());
        markDelivered(next);
      } catch (RuntimeException e) {
        LOG.debug("status report {} failed; retrying in {}", next.number(), retryDelay, e);
        retryLater(next);
      }
    }
  }

  /** The next report to deliver, waiting for one; null once closed. */
  private synchronized Pending take() {
    while (pending == null && !closed) {
      try {
        wait();
      } catch (InterruptedException e) {
        return null;
      }
    }
    if (closed) {
      return null;
    }
    Pending next = pending;
    pending = null;
    return next;
  }

  private synchronized void markDelivered(Pending report) {
    delivered = Math.max(delivered, report.number());
    unresponsive = false;
    notifyAll();
  }

  /** Puts a failed report back unless a newer one arrived, then waits out the retry delay. */
  private synchronized void retryLater(Pending failed) {
    unresponsive = true;
    notifyAll(); // flush() stops waiting for a sink that fails
    if (pending == null) {
      pending = failed;
    } else if (failed.milestone()) {
      pending = new Pending(pending.report(), true, pending.number());
    }
    long deadline = System.nanoTime() + retryDelay.toNanos();
    long left;
    while (!closed && (left = deadline - System.nanoTime()) > 0) {
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Waits up to the close bound for the last report (retrying a failing sink meanwhile), then stops
   * the thread and closes the sink.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + closeWait.toNanos();
    synchronized (this) {
      long target = handedIn;
      while (delivered < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("gave up delivering the last status report after {}", closeWait);
          break;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      closed = true;
      notifyAll();
    }
    worker.interrupt();
    delegate.close();
  }
}
