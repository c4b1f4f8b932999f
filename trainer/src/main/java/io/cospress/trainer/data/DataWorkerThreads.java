package io.cospress.trainer.data;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names a loader's decoding threads after their pool, so a thread dump shows whose they are. */
final class DataWorkerThreads implements ThreadFactory {

  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  private final int poolNumber = POOL_NUMBER.incrementAndGet();
  private final AtomicInteger threadNumber = new AtomicInteger();

  @Override
  public Thread newThread(Runnable task) {
    Thread thread =
        new Thread(task, "cospress-data-" + poolNumber + "-" + threadNumber.incrementAndGet());
    // Daemon: a loader someone forgot to close must not keep the JVM alive.
    thread.setDaemon(true);
    return thread;
  }
}
