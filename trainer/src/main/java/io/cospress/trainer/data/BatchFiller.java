package io.cospress.trainer.data;

import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Decodes and transforms the images of a batch into its pixel array, one range of images at a time.
 * An image's augmentation randomness derives from (seed, epoch, image index) alone, so any worker
 * may fill any range, in any order, and the batch comes out bit-identical.
 */
final class BatchFiller {

  private final ImageSource source;
  private final ImageTransform transform;
  private final long seed;
  private final int epoch;

  BatchFiller(ImageSource source, TransformConfig config, long seed, int epoch) {
    this.source = source;
    this.transform = new ImageTransform(config);
    this.seed = seed;
    this.epoch = epoch;
  }

  /** A batch of the given images with their labels, its pixels not yet filled. */
  Batch allocate(int[] indices, int batchIndex) {
    int[] labels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      labels[i] = source.label(indices[i]);
    }
    TransformConfig config = transform.config();
    float[] pixels = new float[indices.length * config.valuesPerImage()];
    return new Batch(
        pixels, labels, indices, epoch, batchIndex, config.channels(), config.imageSize());
  }

  /**
   * Fills the pixels of images {@code [begin, end)} of {@code batch}.
   *
   * @param closed checked before each image, so closing the loader stops a worker promptly
   * @throws CancellationException when {@code closed} turns true
   * @throws DatasetException naming the image and the source when it cannot be transformed
   */
  void fill(Batch batch, int begin, int end, BooleanSupplier closed) {
    int perImage = transform.config().valuesPerImage();
    boolean augment = transform.config().augment();
    for (int p = begin; p < end; p++) {
      if (closed.getAsBoolean()) {
        throw new CancellationException("batch loader closed");
      }
      int index = batch.indices()[p];
      SplittableRandom random =
          augment
              ? new SplittableRandom(Seeds.derive(seed, Seeds.AUGMENTATION, epoch, index))
              : null;
      try {
        transform.apply(source.image(index), random, batch.pixels(), p * perImage);
      } catch (DatasetException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new DatasetException(
            "image " + index + " of " + source.describe() + ": cannot be transformed (" + e + ")",
            e);
      }
    }
  }
}
