package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {

  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final double[] HALF3 = {0.5, 0.5, 0.5};
  private static final TransformConfig AUGMENTED =
      TransformConfig.training(8, 3, HALF3, HALF3, 0.4, true, 0.3);

  /** 103 random 11×9 RGB images in 4 classes: 103 is not a multiple of any batch size used. */
  private final ImageSource source = new RandomImageSource(103, 11, 9, 3, 4);

  @TempDir Path dir;

  @Test
  void batchesAreConsecutiveSlicesOfTheEpochOrderWithFullBatchesOnly() {
    List<Batch> batches = readAll(BatchLoader.training(source, AUGMENTED, 10, 5, 2, 0, 2, 3));

    int[] order = EpochOrder.permutation(103, 5, 2);
    assertThat(batches).hasSize(10);
    for (int b = 0; b < batches.size(); b++) {
      Batch batch = batches.get(b);
      assertThat(batch.batchIndex()).isEqualTo(b);
      assertThat(batch.epoch()).isEqualTo(2);
      assertThat(batch.indices()).containsExactly(EpochOrder.batch(order, b, 10));
      assertThat(batch.labels())
          .containsExactly(Arrays.stream(batch.indices()).map(source::label).toArray());
      assertThat(batch.pixels()).hasSize(10 * 3 * 8 * 8);
      assertThat(batch.channels()).isEqualTo(3);
      assertThat(batch.imageSize()).isEqualTo(8);
    }
  }

  @Test
  void eachImageIsAugmentedWithRandomnessDerivedFromSeedEpochAndIndex() {
    Batch batch = first(BatchLoader.training(source, AUGMENTED, 10, 5, 2, 3, 2, 3));
    ImageTransform transform = new ImageTransform(AUGMENTED);
    int perImage = AUGMENTED.valuesPerImage();

    for (int p = 0; p < batch.size(); p++) {
      int index = batch.indices()[p];
      float[] expected =
          transform.apply(
              source.image(index),
              new SplittableRandom(Seeds.derive(5, Seeds.AUGMENTATION, 2, index)));
      assertThat(Arrays.copyOfRange(batch.pixels(), p * perImage, (p + 1) * perImage))
          .containsExactly(expected);
    }
  }

  @Test
  void resumingAtABatchGivesTheTailOfTheFullEpoch() {
    List<Batch> full = readAll(BatchLoader.training(source, AUGMENTED, 8, 9, 4, 0, 2, 2));
    List<Batch> resumed = readAll(BatchLoader.training(source, AUGMENTED, 8, 9, 4, 5, 2, 2));

    assertThat(full).hasSize(12);
    assertThat(resumed).hasSize(7);
    for (int k = 0; k < resumed.size(); k++) {
      assertSameBatch(resumed.get(k), full.get(5 + k));
    }
  }

  @Test
  void resumingAtTheEndOfTheEpochGivesNoBatches() {
    try (BatchLoader loader = BatchLoader.training(source, AUGMENTED, 8, 9, 4, 12, 2, 2)) {
      assertThat(loader.next()).isNull();
    }
  }

  @Test
  void oneWorkerAndThreeWorkersGiveBitIdenticalBatches() {
    List<Batch> one = readAll(BatchLoader.training(source, AUGMENTED, 16, 77, 1, 0, 1, 1));
    List<Batch> three = readAll(BatchLoader.training(source, AUGMENTED, 16, 77, 1, 0, 3, 4));

    assertThat(three).hasSameSizeAs(one);
    for (int b = 0; b < one.size(); b++) {
      assertSameBatch(three.get(b), one.get(b));
    }
  }

  @Test
  void differentEpochsGiveDifferentOrderAndAugmentation() {
    Batch epoch0 = first(BatchLoader.training(source, AUGMENTED, 16, 77, 0, 0, 2, 2));
    Batch epoch1 = first(BatchLoader.training(source, AUGMENTED, 16, 77, 1, 0, 2, 2));

    assertThat(epoch1.indices()).isNotEqualTo(epoch0.indices());
    assertThat(epoch1.pixels()).isNotEqualTo(epoch0.pixels());
  }

  @Test
  void sequentialLoaderCoversEveryImageInIndexOrderWithoutAugmentation() {
    List<Batch> batches = readAll(BatchLoader.sequential(source, AUGMENTED, 25, 3));

    assertThat(batches).extracting(Batch::size).containsExactly(25, 25, 25, 25, 3);
    int[] indices = batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    assertThat(indices).containsExactly(IntStream.range(0, 103).toArray());
    ImageTransform evaluation = new ImageTransform(AUGMENTED.withoutAugmentation());
    Batch last = batches.get(4);
    assertThat(last.pixels()).hasSize(3 * AUGMENTED.valuesPerImage());
    assertThat(Arrays.copyOfRange(last.pixels(), 0, AUGMENTED.valuesPerImage()))
        .containsExactly(evaluation.apply(source.image(100), null));
  }

  @Test
  void prefetchRunsAheadOfTheConsumerByAtMostTheConfiguredBatches() throws InterruptedException {
    CountingSource counting = new CountingSource(source);
    try (BatchLoader loader = BatchLoader.training(counting, AUGMENTED, 10, 1, 0, 0, 2, 2)) {
      waitUntil(() -> counting.decoded.get() >= 20);
      Thread.sleep(200);
      assertThat(counting.decoded.get()).isEqualTo(20);

      loader.next();
      waitUntil(() -> counting.decoded.get() >= 30);
      Thread.sleep(200);
      assertThat(counting.decoded.get()).isEqualTo(30);
    }
  }

  @Test
  void workerFailureSurfacesInTheConsumerAsDatasetException() {
    ImageSource failing = new FailingSource(source, 42);

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          try (BatchLoader loader = BatchLoader.sequential(failing, AUGMENTED, 10, 3)) {
            for (int b = 0; b < 4; b++) {
              assertThat(loader.next()).isNotNull();
            }
            assertThatThrownBy(loader::next)
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("image 42 is broken");
            // The failure is sticky rather than skipping the broken batch.
            assertThatThrownBy(loader::next).isInstanceOf(DatasetException.class);
          }
        });
  }

  @Test
  void corruptFileInAnImageFolderIsNamedByTheLoader() {
    for (int i = 0; i < 6; i++) {
      Fixtures.writeImage(
          dir.resolve("c" + i % 2 + "/img" + i + ".png"),
          Fixtures.gradient(4, 4, BufferedImage.TYPE_INT_RGB),
          "png");
    }
    Path bad = Fixtures.write(dir.resolve("c1/img9.png"), new byte[] {1, 2, 3});
    ImageFolderSource folder = ImageFolderSource.open(dir);

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          try (BatchLoader loader = BatchLoader.sequential(folder, AUGMENTED, 7, 2)) {
            assertThatThrownBy(loader::next)
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(bad.toString());
          }
        });
  }

  @Test
  void closingWhileTheConsumerWaitsWakesItWithAnError() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    ImageSource blocking = new BlockingSource(source, never);
    BatchLoader loader = BatchLoader.training(blocking, AUGMENTED, 10, 1, 0, 0, 2, 2);
    CompletableFuture<Throwable> consumer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                loader.next();
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Thread.sleep(100);

    assertTimeoutPreemptively(PROMPTLY, loader::close);

    Throwable thrown = consumer.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
    assertThat(thrown).isInstanceOf(DatasetException.class).hasMessageContaining("closed");
    assertThatThrownBy(loader::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void datasetSmallerThanOneBatchIsRejected() {
    assertThatThrownBy(() -> BatchLoader.training(source, AUGMENTED, 200, 1, 0, 0))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("fewer than one batch of 200");
  }

  @Test
  void startBatchBeyondTheEpochIsRejected() {
    assertThatThrownBy(() -> BatchLoader.training(source, AUGMENTED, 10, 1, 0, 11))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fashionMnistTrainEpochHasFloorNOverBFullBatchesOfValidLabels() {
    IdxImageSource train = Fixtures.fashionMnistTrain();
    TransformConfig config =
        TransformConfig.training(28, 1, new double[] {0.286}, new double[] {0.353}, 0.5, true, 0.2);

    int batches = 0;
    int[] perClass = new int[10];
    try (BatchLoader loader = BatchLoader.training(train, config, 64, 1, 0, 0, 2, 3)) {
      assertThat(loader.batchCount()).isEqualTo(60_000 / 64);
      Batch batch;
      while ((batch = loader.next()) != null) {
        assertThat(batch.size()).isEqualTo(64);
        assertThat(batch.pixels()).hasSize(64 * 28 * 28);
        for (int label : batch.labels()) {
          assertThat(label).isBetween(0, 9);
          perClass[label]++;
        }
        batches++;
      }
    }
    assertThat(batches).isEqualTo(937);
    // 60 000 balanced images minus the 32 dropped: every class close to 6000.
    assertThat(Arrays.stream(perClass).boxed())
        .allSatisfy(n -> assertThat(n).isBetween(5968, 6000));
  }

  private static void assertSameBatch(Batch actual, Batch expected) {
    assertThat(actual.epoch()).isEqualTo(expected.epoch());
    assertThat(actual.batchIndex()).isEqualTo(expected.batchIndex());
    assertThat(actual.indices()).containsExactly(expected.indices());
    assertThat(actual.labels()).containsExactly(expected.labels());
    // Bit-identical, not merely close.
    assertThat(actual.pixels()).isEqualTo(expected.pixels());
  }

  private static List<Batch> readAll(BatchLoader loader) {
    List<Batch> batches = new ArrayList<>();
    try (loader) {
      Batch batch;
      while ((batch = loader.next()) != null) {
        batches.add(batch);
      }
    }
    return batches;
  }

  private static Batch first(BatchLoader loader) {
    try (loader) {
      return loader.next();
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** Random images generated from their index, so any image can be rebuilt independently. */
  static final class RandomImageSource extends DelegatingSourceBase {
    private final int count;
    private final int width;
    private final int height;
    private final int channels;
    private final int classes;

    RandomImageSource(int count, int width, int height, int channels, int classes) {
      super(null);
      this.count = count;
      this.width = width;
      this.height = height;
      this.channels = channels;
      this.classes = classes;
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public int label(int i) {
      return i % classes;
    }

    @Override
    public int numClasses() {
      return classes;
    }

    @Override
    public DecodedImage image(int i) {
      return ImageTransformTest.randomImage(width, height, channels, 1000 + i);
    }

    @Override
    public String describe() {
      return "random test images";
    }
  }

  /** Counts decoded images. */
  static final class CountingSource extends DelegatingSourceBase {
    final AtomicInteger decoded = new AtomicInteger();

    CountingSource(ImageSource delegate) {
      super(delegate);
    }

    @Override
    public DecodedImage image(int i) {
      decoded.incrementAndGet();
      return delegate.image(i);
    }
  }

  /** Fails on one index. */
  static final class FailingSource extends DelegatingSourceBase {
    private final int broken;

    FailingSource(ImageSource delegate, int broken) {
      super(delegate);
      this.broken = broken;
    }

    @Override
    public DecodedImage image(int i) {
      if (i == broken) {
        throw new DatasetException("image " + i + " is broken");
      }
      return delegate.image(i);
    }
  }

  /** Blocks every decode until the latch opens or the worker is interrupted. */
  static final class BlockingSource extends DelegatingSourceBase {
    private final CountDownLatch latch;

    BlockingSource(ImageSource delegate, CountDownLatch latch) {
      super(delegate);
      this.latch = latch;
    }

    @Override
    public DecodedImage image(int i) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DatasetException("interrupted", e);
      }
      return delegate.image(i);
    }
  }

  /** Forwards everything to a delegate. */
  abstract static class DelegatingSourceBase implements ImageSource {
    final ImageSource delegate;

    DelegatingSourceBase(ImageSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public int label(int i) {
      return delegate.label(i);
    }

    @Override
    public int numClasses() {
      return delegate.numClasses();
    }

    @Override
    public DecodedImage image(int i) {
      return delegate.image(i);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
