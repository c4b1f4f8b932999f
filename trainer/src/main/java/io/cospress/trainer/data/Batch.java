package io.cospress.trainer.data;

/**
 * A batch of transformed images ready to become an NDArray of shape {@code [size, channels,
 * imageSize, imageSize]}.
 *
 * <p>Arrays are owned by the batch and not copied; equality is by identity, as for any array
 * holder.
 *
 * @param pixels {@code size * channels * imageSize * imageSize} floats, images consecutive, each
 *     planar (channel, row, column)
 * @param labels class of each image
 * @param indices position of each image in the {@link ImageSource}
 * @param epoch the epoch the batch belongs to (0 for sequential loaders)
 * @param batchIndex position of the batch within its epoch
 * @param channels channels per image
 * @param imageSize side length of each image
 */
public record Batch(
    float[] pixels,
    int[] labels,
    int[] indices,
    int epoch,
    int batchIndex,
    int channels,
    int imageSize) {

  /** Number of images in the batch. */
  public int size() {
    return labels.length;
  }
}
