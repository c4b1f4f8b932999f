package io.cospress.trainer.data;

import io.cospress.trainer.config.Confinement;
import java.nio.file.Path;
import java.util.Objects;

/** Opens the {@link ImageSource} for one split of a manifest's dataset. */
public final class ImageSources {

  private ImageSources() {}

  /**
   * Opens a split.
   *
   * @param path IDX: the images file; imageFolder: the root directory
   * @param labels IDX: the labels file, or null for a split whose labels are never read (every
   *     label is then 0); imageFolder: ignored, may be null
   * @throws DatasetException if the files are missing or invalid
   */
  public static ImageSource open(DataFormat format, Path path, Path labels) {
    return open(format, path, labels, Confinement.none());
  }

  /**
   * As {@link #open(DataFormat, Path, Path)}; every image file of an image folder must also stay
   * inside {@code confinement} (links included).
   */
  public static ImageSource open(
      DataFormat format, Path path, Path labels, Confinement confinement) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(path, "path");
    switch (format) {
      case IDX:
        return labels == null
            ? IdxImageSource.openUnlabelled(path)
            : IdxImageSource.open(path, labels);
      case IMAGE_FOLDER:
        return ImageFolderSource.open(path, confinement);
      default:
        throw new IllegalArgumentException("unknown dataset format " + format);
    }
  }

  /** As {@link #open}, then limited to a stratified subset if {@code limit} is not null. */
  public static ImageSource open(
      DataFormat format, Path path, Path labels, Integer limit, long seed) {
    ImageSource source = open(format, path, labels);
    return limit == null ? source : Subset.stratified(source, limit, seed);
  }
}
