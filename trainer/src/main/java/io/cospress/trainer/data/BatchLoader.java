package io.cospress.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Produces the batches of one epoch (or one sequential pass) in order, decoding and transforming
 * images on a fixed pool of worker threads and keeping a bounded number of batches ready ahead of
 * the consumer, so the training step does not wait for data.
 *
 * <p>Reproducibility: the augmentation randomness of an image depends only on (seed, epoch, image
 * index), never on which thread handles it or when, and the order only on (seed, epoch). A run
 * resumed at (epoch, batch) therefore sees bit-identical batches, whatever the worker count.
 *
 * <p>{@link #next} is for one consumer thread; {@link #close} may be called from any thread and
 * makes a blocked {@code next} fail promptly instead of hanging.
 */
public final class BatchLoader implements AutoCloseable {

  /** Batches prepared ahead of the consumer when not told otherwise. */
  public static final int DEFAULT_PREFETCH_BATCHES = 3;

  private static final long CLOSE_WAIT_SECONDS = 5;

  private final ImageSource source;
  private final BatchFiller filler;
  private final int batchSize;
  private final int[] order;
  private final int totalBatches;
  private final int prefetchBatches;
  private final int chunksPerBatch;
  private final ExecutorService pool;
  private final Deque<PendingBatch> inFlight = new ConcurrentLinkedDeque<>();

  private int nextToSubmit;
  private volatile boolean closed;
  private DatasetException failure;

  private BatchLoader(
      ImageSource source,
      TransformConfig config,
      int batchSize,
      long seed,
      int epoch,
      int[] order,
      int totalBatches,
      int startBatch,
      int workers,
      int prefetchBatches) {
    this.source = source;
    this.filler = new BatchFiller(source, config, seed, epoch);
    this.batchSize = batchSize;
    this.order = order;
    this.totalBatches = totalBatches;
    this.nextToSubmit = startBatch;
    this.prefetchBatches = prefetchBatches;
    // A few chunks per worker balance uneven decode times without paying task overhead per image.
    this.chunksPerBatch = workers * 2;
    this.pool = Executors.newFixedThreadPool(workers, new DataWorkerThreads());
    submitAhead();
  }

  /**
   * A loader for training epoch {@code epoch}, starting at batch {@code startBatch} (0 for a fresh
   * epoch, the saved position when resuming), with one worker per available processor.
   *
   * @see #training(ImageSource, TransformConfig, int, long, int, int, int, int)
   */
  public static BatchLoader training(
      ImageSource source,
      TransformConfig config,
      int batchSize,
      long seed,
      int epoch,
      int startBatch) {
    return training(
        source,
        config,
        batchSize,
        seed,
        epoch,
        startBatch,
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_PREFETCH_BATCHES);
  }

  /**
   * A loader for training epoch {@code epoch}: the images in {@link EpochOrder#permutation} order,
   * in full batches only (see {@link EpochOrder}), augmented if the config says so.
   *
   * @param startBatch first batch to produce, in {@code [0, batchesPerEpoch]}
   * @param workers decoding threads, at least 1
   * @param prefetchBatches batches prepared ahead of the consumer, at least 1; each costs {@code
   *     batchSize * C * S * S * 4} bytes
   * @throws DatasetException if the source has fewer images than one batch
   */
  public static BatchLoader training(
      ImageSource source,
      TransformConfig config,
      int batchSize,
      long seed,
      int epoch,
      int startBatch,
      int workers,
      int prefetchBatches) {
    checkCommon(source, config, batchSize, workers, prefetchBatches);
    int n = source.size();
    int batches = EpochOrder.batchesPerEpoch(n, batchSize);
    if (batches == 0) {
      throw new DatasetException(
          source.describe() + ": " + n + " images, fewer than one batch of " + batchSize);
    }
    if (startBatch < 0 || startBatch > batches) {
      throw new IllegalArgumentException(
          "startBatch must be in [0, " + batches + "], got " + startBatch);
    }
    int[] order = EpochOrder.permutation(n, seed, epoch);
    return new BatchLoader(
        source,
        config,
        batchSize,
        seed,
        epoch,
        order,
        batches,
        startBatch,
        workers,
        prefetchBatches);
  }

  /**
   * A loader over all images in index order for embedding extraction: no shuffling, no augmentation
   * (even if {@code config} asks for it), and a final partial batch if the size is not a multiple
   * of {@code batchSize}. Batches report epoch 0.
   */
  public static BatchLoader sequential(
      ImageSource source, TransformConfig config, int batchSize, int workers) {
    checkCommon(source, config, batchSize, workers, DEFAULT_PREFETCH_BATCHES);
    int n = source.size();
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    int batches = (int) ((n + (long) batchSize - 1) / batchSize);
    return new BatchLoader(
        source,
        config.withoutAugmentation(),
        batchSize,
        0L,
        0,
        order,
        batches,
        0,
        workers,
        DEFAULT_PREFETCH_BATCHES);
  }

  /** Batches in the whole epoch or pass, counting from batch 0 (also those skipped on resume). */
  public int batchCount() {
    return totalBatches;
  }

  /**
   * The next batch, waiting for it if the workers have not finished it yet, or null after the last
   * one.
   *
   * @throws DatasetException if an image could not be read or transformed, or the loader was closed
   *     while waiting
   * @throws IllegalStateException if called after {@link #close}
   */
  public Batch next() {
    if (closed) {
      throw new IllegalStateException("BatchLoader is closed");
    }
    if (failure != null) {
      throw failure;
    }
    // Peek, not poll: close() must still find this batch to cancel it if we block on it.
    PendingBatch pending = inFlight.peekFirst();
    if (pending == null) {
      return null;
    }
    try {
      pending.done.get();
    } catch (ExecutionException e) {
      if (closed) {
        throw closedWhileWaiting(e);
      }
      failure = asDatasetException(e.getCause());
      throw failure;
    } catch (CancellationException e) {
      throw closedWhileWaiting(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetException("interrupted while waiting for a batch", e);
    }
    if (closed) {
      // A worker may have stopped half-way through this batch.
      throw closedWhileWaiting(null);
    }
    inFlight.pollFirst();
    submitAhead();
    return pending.batch;
  }

  /** Stops the workers, discarding batches in preparation; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.shutdownNow();
    // Tasks dropped from the queue never run: cancel so a consumer blocked on them wakes up.
    for (PendingBatch pending : inFlight) {
      pending.done.cancel(false);
    }
    try {
      pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void submitAhead() {
    while (!closed && nextToSubmit < totalBatches && inFlight.size() < prefetchBatches) {
      inFlight.addLast(submit(nextToSubmit++));
    }
  }

  private PendingBatch submit(int batchIndex) {
    int from = batchIndex * batchSize;
    int count = Math.min(batchSize, order.length - from);
    Batch batch = filler.allocate(Arrays.copyOfRange(order, from, from + count), batchIndex);
    int chunk = Math.max(1, (count + chunksPerBatch - 1) / chunksPerBatch);
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    try {
      for (int start = 0; start < count; start += chunk) {
        int begin = start;
        int end = Math.min(count, start + chunk);
        parts.add(
            CompletableFuture.runAsync(() -> filler.fill(batch, begin, end, () -> closed), pool));
      }
    } catch (RejectedExecutionException e) {
      throw closedWhileWaiting(e);
    }
    CompletableFuture<Void> done = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    return new PendingBatch(batch, done);
  }

  private DatasetException closedWhileWaiting(Exception cause) {
    return new DatasetException("batch loader for " + source.describe() + " was closed", cause);
  }

  // Re-wrapped so the consumer's stack trace shows where it was waiting, with the worker's
  // exception (and its message naming the file) kept as the cause.
  private static DatasetException asDatasetException(Throwable cause) {
    if (cause instanceof DatasetException) {
      return new DatasetException(cause.getMessage(), cause);
    }
    return new DatasetException("data loading failed: " + cause, cause);
  }

  private static void checkCommon(
      ImageSource source, TransformConfig config, int batchSize, int workers, int prefetch) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(config, "config");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }
    if (workers <= 0) {
      throw new IllegalArgumentException("workers must be > 0, got " + workers);
    }
    if (prefetch <= 0) {
      throw new IllegalArgumentException("prefetchBatches must be > 0, got " + prefetch);
    }
  }

  private record PendingBatch(Batch batch, CompletableFuture<Void> done) {}
}
