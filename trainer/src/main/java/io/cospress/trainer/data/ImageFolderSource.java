package io.cospress.trainer.data;

import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.config.PathEscapeException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Images stored as one sub-directory per class under a root directory, each holding PNG or JPEG
 * files (".png", ".jpg", ".jpeg", any case, also in nested directories).
 *
 * <p>Class index = position of the sub-directory in name order, so train, validation and OOD splits
 * with the same class directories agree on labels. Files are listed once, in path order, and
 * decoded lazily on each {@link #image} call; entries whose name starts with "." are ignored
 * (editor and notebook droppings).
 */
public final class ImageFolderSource implements ImageSource {

  private final Path root;
  private final List<String> classNames;
  private final Path[] files;
  private final int[] labels;

  private ImageFolderSource(Path root, List<String> classNames, Path[] files, int[] labels) {
    this.root = root;
    this.classNames = List.copyOf(classNames);
    this.files = files;
    this.labels = labels;
  }

  /**
   * Lists the classes and image files under {@code root}.
   *
   * @throws DatasetException if the root is missing or not a directory, has no class directories,
   *     or a class directory holds no image files
   */
  public static ImageFolderSource open(Path root) {
    return open(root, Confinement.none());
  }

  /**
   * As {@link #open(Path)}; when {@code confinement} is active, every image file must really be
   * inside it (a symbolic link leading out is refused).
   */
  public static ImageFolderSource open(Path root, Confinement confinement) {
    Objects.requireNonNull(root, "root");
    if (!Files.isDirectory(root)) {
      throw new DatasetException(
          "image folder " + root + ": " + (Files.exists(root) ? "not a directory" : "not found"));
    }
    List<Path> classDirs = listClassDirectories(root);
    if (classDirs.isEmpty()) {
      throw new DatasetException(
          "image folder "
              + root
              + ": no class sub-directories; expected one directory per class holding"
              + " .png/.jpg/.jpeg files");
    }
    List<String> names = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < classDirs.size(); c++) {
      Path dir = classDirs.get(c);
      List<Path> images = listImages(dir);
      if (images.isEmpty()) {
        throw new DatasetException(
            "image folder "
                + root
                + ": class directory "
                + dir
                + " holds no .png/.jpg/.jpeg files");
      }
      names.add(dir.getFileName().toString());
      for (Path image : images) {
        confine(confinement, image);
        files.add(image);
        labels.add(c);
      }
    }
    return new ImageFolderSource(
        root,
        names,
        files.toArray(Path[]::new),
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  @Override
  public int size() {
    return files.length;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public int numClasses() {
    return classNames.size();
  }

  /** Class directory names in label order. */
  public List<String> classNames() {
    return classNames;
  }

  /** The file image {@code i} is decoded from. */
  public Path file(int i) {
    return files[i];
  }

  /**
   * Decodes image {@code i} from disk; safe to call from several threads at once.
   *
   * @throws DatasetException naming the file if it cannot be read or decoded
   */
  @Override
  public DecodedImage image(int i) {
    Path file = files[i];
    BufferedImage decoded = BoundedImageDecoder.decode(file);
    if (decoded.getWidth() <= 0 || decoded.getHeight() <= 0) {
      throw new DatasetException("image file " + file + ": has no pixels");
    }
    return BufferedImageConverter.toPlanar(decoded);
  }

  @Override
  public String describe() {
    return String.format(
        "image folder %s: %d images, %d classes", root, files.length, classNames.size());
  }

  private static void confine(Confinement confinement, Path image) {
    try {
      confinement.check("image file", image);
    } catch (PathEscapeException e) {
      throw new DatasetException(e.getMessage(), e);
    }
  }

  private static List<Path> listClassDirectories(Path root) {
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(p -> !isHidden(p) && Files.isDirectory(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .collect(Collectors.toList());
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("image folder " + root + ": cannot be listed (" + e + ")", e);
    }
  }

  private static List<Path> listImages(Path classDir) {
    try (Stream<Path> entries = Files.walk(classDir)) {
      return entries
          .filter(p -> !p.equals(classDir))
          .filter(p -> !isHiddenBelow(classDir, p))
          .filter(p -> hasImageExtension(p) && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> relativeName(classDir, p)))
          .collect(Collectors.toList());
    } catch (NoSuchFileException e) {
      throw new DatasetException("class directory " + classDir + ": vanished while listing", e);
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException(
          "class directory " + classDir + ": cannot be listed (" + e + ")", e);
    }
  }

  private static boolean hasImageExtension(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  private static boolean isHidden(Path p) {
    return p.getFileName().toString().startsWith(".");
  }

  private static boolean isHiddenBelow(Path dir, Path p) {
    for (Path part : dir.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  // Separator-independent, so the order (and thus the index of each image) is the same on every
  // platform.
  private static String relativeName(Path dir, Path p) {
    return dir.relativize(p).toString().replace('\\', '/');
  }
}
