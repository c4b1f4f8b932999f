package io.cospress.trainer.data;

/** How a dataset's files are laid out on disk. */
public enum DataFormat {
  /** MNIST-style IDX files: one file of images, one of labels (optionally gzipped). */
  IDX,
  /** One sub-directory of image files per class. */
  IMAGE_FOLDER
}
