package io.cospress.trainer.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM/SIGINT into a request the training loop honours at the next step boundary: it
 * writes a checkpoint and returns, while the shutdown hook waits (up to the pod's grace period) for
 * that to finish before the JVM exits.
 */
public final class StopSignal {

  private static volatile boolean jvmTerminating;

  private volatile String reason;
  private final CountDownLatch finished = new CountDownLatch(1);

  public void request(String why) {
    if (reason == null) {
      reason = why;
    }
  }

  public boolean requested() {
    return reason != null;
  }

  public String reason() {
    return reason;
  }

  /** Called by the training loop once it has checkpointed (or ended) so the JVM may exit. */
  public void markFinished() {
    finished.countDown();
  }

  /**
   * True once a termination signal started the JVM's shutdown: {@code System.exit} would then block
   * forever behind the shutdown hook, so the CLI must simply return.
   */
  public static boolean jvmTerminating() {
    return jvmTerminating;
  }

  public void installShutdownHook(long graceSeconds) {
    Thread hook =
        new Thread(
            () -> {
              jvmTerminating = true;
              request("termination signal");
              try {
                finished.await(graceSeconds, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "cospress-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }
}
