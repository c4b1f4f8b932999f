package io.cospress.trainer.data;

/**
 * A labelled, randomly accessible collection of images (one split of a dataset).
 *
 * <p>Implementations must allow {@link #image} and {@link #label} to be called concurrently from
 * several threads: the {@link BatchLoader} decodes in parallel.
 */
public interface ImageSource {

  /** Number of images. */
  int size();

  /** Class index of image {@code i}, in {@code [0, numClasses())}. */
  int label(int i);

  /** Number of classes the labels are drawn from. */
  int numClasses();

  /**
   * Decodes image {@code i}.
   *
   * @throws DatasetException if the image cannot be read; the message names the file
   */
  DecodedImage image(int i);

  /** One line for logs and status messages: where the images come from and how many. */
  String describe();
}
