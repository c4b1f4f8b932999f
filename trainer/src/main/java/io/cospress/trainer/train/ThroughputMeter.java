package io.cospress.trainer.train;

/** Images per second over a sliding window of recent steps, and the ETA it implies. */
final class ThroughputMeter {

  private static final int WINDOW = 20;

  private final long[] nanos = new long[WINDOW];
  private final int[] images = new int[WINDOW];
  private int count;

  void record(int batchImages, long stepNanos) {
    nanos[count % WINDOW] = stepNanos;
    images[count % WINDOW] = batchImages;
    count++;
  }

  double imagesPerSecond() {
    int n = Math.min(count, WINDOW);
    long totalNanos = 0;
    long totalImages = 0;
    for (int i = 0; i < n; i++) {
      totalNanos += nanos[i];
      totalImages += images[i];
    }
    return totalNanos == 0 ? 0 : totalImages * 1e9 / totalNanos;
  }

  long etaSeconds(long remainingImages) {
    double rate = imagesPerSecond();
    return rate <= 0 ? -1 : (long) Math.ceil(remainingImages / rate);
  }
}
