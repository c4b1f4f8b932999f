package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {

  @TempDir Path root;

  @Test
  void classesAreSortedByNameAndFilesWithinAClassByPath() {
    BufferedImage pixel = Fixtures.gray(new int[][] {{7}});
    Fixtures.writeImage(root.resolve("zebra/b.png"), pixel, "png");
    Fixtures.writeImage(root.resolve("zebra/a.PNG"), pixel, "png");
    Fixtures.writeImage(root.resolve("ant/x.JPEG"), pixel, "jpeg");
    Fixtures.writeImage(root.resolve("moth/nested/y.jpg"), pixel, "jpeg");
    Fixtures.writeImage(root.resolve("moth/c.jpg"), pixel, "jpeg");

    ImageFolderSource source = ImageFolderSource.open(root);

    assertThat(source.classNames()).containsExactly("ant", "moth", "zebra");
    assertThat(source.numClasses()).isEqualTo(3);
    List<String> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      files.add(root.relativize(source.file(i)).toString());
      labels.add(source.label(i));
    }
    assertThat(files)
        .containsExactly(
            "ant/x.JPEG", "moth/c.jpg", "moth/nested/y.jpg", "zebra/a.PNG", "zebra/b.png");
    assertThat(labels).containsExactly(0, 1, 1, 2, 2);
  }

  @Test
  void otherFilesHiddenEntriesAndLooseRootFilesAreIgnored() throws IOException {
    BufferedImage pixel = Fixtures.gray(new int[][] {{7}});
    Fixtures.writeImage(root.resolve("cat/a.png"), pixel, "png");
    Fixtures.write(root.resolve("cat/notes.txt"), new byte[] {1});
    Fixtures.writeImage(root.resolve("cat/.thumbs/t.png"), pixel, "png");
    Fixtures.writeImage(root.resolve(".cache/c.png"), pixel, "png");
    Fixtures.writeImage(root.resolve("loose.png"), pixel, "png");
    Files.createDirectories(root.resolve("dog"));
    Fixtures.writeImage(root.resolve("dog/d.jpeg"), pixel, "jpeg");

    ImageFolderSource source = ImageFolderSource.open(root);

    assertThat(source.classNames()).containsExactly("cat", "dog");
    assertThat(source.size()).isEqualTo(2);
  }

  @Test
  void grayscalePngDecodesToOneChannelWithExactValues() {
    int[][] values = {{0, 50, 255}, {128, 3, 77}};
    Fixtures.writeImage(root.resolve("a/g.png"), Fixtures.gray(values), "png");

    DecodedImage image = ImageFolderSource.open(root).image(0);

    assertThat(image.channels()).isEqualTo(1);
    assertThat(image.width()).isEqualTo(3);
    assertThat(image.height()).isEqualTo(2);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        assertThat(image.sample(0, y, x)).isEqualTo(values[y][x]);
      }
    }
  }

  @Test
  void rgbAndRgbaPngsDecodeToThreeChannelsInRedGreenBlueOrder() {
    Fixtures.writeImage(
        root.resolve("a/rgb.png"), Fixtures.gradient(4, 3, BufferedImage.TYPE_INT_RGB), "png");
    Fixtures.writeImage(
        root.resolve("a/rgba.png"), Fixtures.gradient(4, 3, BufferedImage.TYPE_INT_ARGB), "png");
    ImageFolderSource source = ImageFolderSource.open(root);

    for (int i = 0; i < 2; i++) {
      DecodedImage image = source.image(i);
      assertThat(image.channels()).as(source.file(i).toString()).isEqualTo(3);
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 4; x++) {
          int rgb = Fixtures.rgb(x, y);
          assertThat(image.sample(0, y, x)).isEqualTo(rgb >> 16 & 0xFF);
          assertThat(image.sample(1, y, x)).isEqualTo(rgb >> 8 & 0xFF);
          assertThat(image.sample(2, y, x)).isEqualTo(rgb & 0xFF);
        }
      }
    }
  }

  @Test
  void jpegOfASolidColourDecodesCloseToThatColour() {
    BufferedImage solid = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        solid.setRGB(x, y, 0xC83214);
      }
    }
    Fixtures.writeImage(root.resolve("a/solid.jpg"), solid, "jpeg");

    DecodedImage image = ImageFolderSource.open(root).image(0);

    assertThat(image.channels()).isEqualTo(3);
    assertThat(image.sample(0, 8, 8)).isBetween(0xC8 - 6, 0xC8 + 6);
    assertThat(image.sample(1, 8, 8)).isBetween(0x32 - 6, 0x32 + 6);
    assertThat(image.sample(2, 8, 8)).isBetween(0x14 - 6, 0x14 + 6);
  }

  @Test
  void corruptImageIsReportedWithItsFileName() {
    Fixtures.writeImage(root.resolve("a/good.png"), Fixtures.gray(new int[][] {{1}}), "png");
    Path bad = Fixtures.write(root.resolve("a/z-bad.png"), "not an image at all".getBytes());
    ImageFolderSource source = ImageFolderSource.open(root);

    assertThat(source.image(0).channels()).isEqualTo(1);
    assertThatThrownBy(() -> source.image(1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void truncatedPngIsReportedWithItsFileName() throws IOException {
    Path good =
        Fixtures.writeImage(
            root.resolve("a/t.png"), Fixtures.gradient(64, 64, BufferedImage.TYPE_INT_RGB), "png");
    byte[] bytes = Files.readAllBytes(good);
    Files.write(good, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    ImageFolderSource source = ImageFolderSource.open(root);

    assertThatThrownBy(() -> source.image(0))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(good.toString());
  }

  @Test
  void rootWithoutClassDirectoriesIsAClearError() {
    Fixtures.writeImage(root.resolve("loose.png"), Fixtures.gray(new int[][] {{1}}), "png");

    assertThatThrownBy(() -> ImageFolderSource.open(root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(root.toString())
        .hasMessageContaining("no class sub-directories");
  }

  @Test
  void classDirectoryWithoutImagesIsNamed() throws IOException {
    Fixtures.writeImage(root.resolve("a/x.png"), Fixtures.gray(new int[][] {{1}}), "png");
    Files.createDirectories(root.resolve("b"));
    Fixtures.write(root.resolve("b/readme.txt"), new byte[] {1});

    assertThatThrownBy(() -> ImageFolderSource.open(root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(root.resolve("b").toString())
        .hasMessageContaining("holds no .png/.jpg/.jpeg files");
  }

  @Test
  void missingRootIsNamed() {
    Path missing = root.resolve("nope");

    assertThatThrownBy(() -> ImageFolderSource.open(missing))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void anImageDeclaringHugeDimensionsIsRefusedBeforeItIsDecoded() throws IOException {
    Path hostile = root.resolve("hostile");
    Fixtures.write(hostile.resolve("a/bomb.png"), Fixtures.pngHeaderOnly(100_000, 100_000));
    ImageFolderSource source = ImageFolderSource.open(hostile);

    assertThatThrownBy(() -> source.image(0))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bomb.png")
        .hasMessageContaining("declares 100000x100000 pixels")
        .hasMessageContaining("megapixels");
  }

  @Test
  void inAConfinedVolumeAnImageLinkedFromOutsideIsRefused() throws IOException {
    Path volume = root.resolve("volume");
    Path outside = root.resolve("outside.png");
    Fixtures.writeImage(outside, new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png");
    Fixtures.writeImage(
        volume.resolve("data/a/ok.png"),
        new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY),
        "png");
    Files.createSymbolicLink(volume.resolve("data/a/leak.png"), outside);

    assertThat(ImageFolderSource.open(volume.resolve("data")).size()).isEqualTo(2);
    assertThatThrownBy(
            () ->
                ImageFolderSource.open(
                    volume.resolve("data"), io.cospress.trainer.config.Confinement.within(volume)))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("leak.png")
        .hasMessageContaining("leads outside its volume");
  }
}
