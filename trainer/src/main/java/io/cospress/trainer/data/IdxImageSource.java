package io.cospress.trainer.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Images and labels from a pair of MNIST-style IDX files (uint8 images {@code [N, rows, cols]},
 * uint8 labels {@code [N]}), each gzipped or not, held in memory.
 *
 * <p>All pixels live in one array and {@link #image} returns views into it, so random access costs
 * no I/O and no allocation beyond the small view object.
 */
public final class IdxImageSource implements ImageSource {

  private final Path imagesFile;
  private final Path labelsFile;
  private final int count;
  private final int rows;
  private final int cols;
  private final byte[] pixels;
  private final byte[] labels;
  private final int numClasses;

  private IdxImageSource(
      Path imagesFile, Path labelsFile, int rows, int cols, byte[] pixels, byte[] labels) {
    this.imagesFile = imagesFile;
    this.labelsFile = labelsFile;
    this.count = labels.length;
    this.rows = rows;
    this.cols = cols;
    this.pixels = pixels;
    this.labels = labels;
    this.numClasses = maxLabel(labels) + 1;
  }

  /**
   * Reads and validates an images file and its labels file.
   *
   * @throws DatasetException if either file is missing, not the expected IDX kind, truncated, or
   *     the two disagree on the number of images; the message names the file
   */
  public static IdxImageSource open(Path imagesFile, Path labelsFile) {
    Objects.requireNonNull(imagesFile, "imagesFile");
    Objects.requireNonNull(labelsFile, "labelsFile");
    IdxFile images =
        IdxFile.read(
            imagesFile,
            "images file",
            IdxFile.MAGIC_UBYTE_IMAGES,
            "IDX uint8 images [N,rows,cols]");
    IdxFile labels =
        IdxFile.read(labelsFile, "labels file", IdxFile.MAGIC_UBYTE_VECTOR, "IDX uint8 labels [N]");
    int imageCount = images.dimension(0);
    int labelCount = labels.dimension(0);
    if (imageCount != labelCount) {
      throw new DatasetException(
          "labels file "
              + labelsFile
              + ": "
              + labelCount
              + " labels but images file "
              + imagesFile
              + " has "
              + imageCount
              + " images");
    }
    return new IdxImageSource(
        imagesFile,
        labelsFile,
        images.dimension(1),
        images.dimension(2),
        images.payload(),
        labels.payload());
  }

  /**
   * Reads an images file without labels (every label 0), for splits whose labels are never read,
   * such as the OOD set.
   *
   * @throws DatasetException if the file is missing, not an IDX images file, or truncated
   */
  public static IdxImageSource openUnlabelled(Path imagesFile) {
    Objects.requireNonNull(imagesFile, "imagesFile");
    IdxFile images =
        IdxFile.read(
            imagesFile,
            "images file",
            IdxFile.MAGIC_UBYTE_IMAGES,
            "IDX uint8 images [N,rows,cols]");
    return new IdxImageSource(
        imagesFile,
        null,
        images.dimension(1),
        images.dimension(2),
        images.payload(),
        new byte[images.dimension(0)]);
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public int label(int i) {
    Objects.checkIndex(i, count);
    return labels[i] & 0xFF;
  }

  /** One more than the largest label present, since IDX files carry no class list. */
  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public DecodedImage image(int i) {
    Objects.checkIndex(i, count);
    return DecodedImage.planar(cols, rows, 1, pixels, i * rows * cols);
  }

  /** Rows (height) of every image. */
  public int rows() {
    return rows;
  }

  /** Columns (width) of every image. */
  public int cols() {
    return cols;
  }

  @Override
  public String describe() {
    if (labelsFile == null) {
      return String.format(
          "idx images %s (unlabelled): %d images %dx%d", imagesFile, count, cols, rows);
    }
    return String.format(
        "idx images %s, labels %s: %d images %dx%d, %d classes",
        imagesFile, labelsFile, count, cols, rows, numClasses);
  }

  private static int maxLabel(byte[] labels) {
    int max = 0;
    for (byte b : labels) {
      max = Math.max(max, b & 0xFF);
    }
    return max;
  }
}
