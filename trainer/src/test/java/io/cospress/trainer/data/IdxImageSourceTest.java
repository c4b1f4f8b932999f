package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxImageSourceTest {

  @TempDir Path dir;

  @Test
  void gzippedAndPlainFilesGiveTheSamePixelsAndLabels() {
    byte[] images = Fixtures.idxImages(3, 2, 4);
    byte[] labels = Fixtures.idxLabels(2, 0, 1);
    // Names deliberately lie about compression: detection must use the magic bytes.
    Path plainImages = Fixtures.write(dir.resolve("images.gz"), images);
    Path plainLabels = Fixtures.write(dir.resolve("labels.gz"), labels);
    Path gzImages = Fixtures.write(dir.resolve("images.idx"), Fixtures.gzip(images));
    Path gzLabels = Fixtures.write(dir.resolve("labels.idx"), Fixtures.gzip(labels));

    IdxImageSource plain = IdxImageSource.open(plainImages, plainLabels);
    IdxImageSource gz = IdxImageSource.open(gzImages, gzLabels);

    assertThat(gz.size()).isEqualTo(plain.size()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(gz.label(i)).isEqualTo(plain.label(i));
      assertThat(gz.image(i).toFloats()).containsExactly(plain.image(i).toFloats());
    }
    assertThat(new int[] {gz.label(0), gz.label(1), gz.label(2)}).containsExactly(2, 0, 1);
  }

  @Test
  void imagesAreRowMajorGrayscaleWithTheDeclaredShape() {
    IdxImageSource source = open(Fixtures.idxImages(3, 2, 4), Fixtures.idxLabels(0, 1, 2));

    DecodedImage image = source.image(1);

    assertThat(image.width()).isEqualTo(4);
    assertThat(image.height()).isEqualTo(2);
    assertThat(image.channels()).isEqualTo(1);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        assertThat(image.sample(0, y, x)).isEqualTo(Fixtures.pixel(1, y * 4 + x));
      }
    }
  }

  @Test
  void classCountIsOneMoreThanTheLargestLabel() {
    IdxImageSource source = open(Fixtures.idxImages(3, 2, 2), Fixtures.idxLabels(0, 6, 2));

    assertThat(source.numClasses()).isEqualTo(7);
  }

  @Test
  void mismatchedCountsNameBothFilesAndBothCounts() {
    Path images = Fixtures.write(dir.resolve("imgs.idx"), Fixtures.idxImages(4, 2, 2));
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0, 1, 2));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            "labels file " + labels + ": 3 labels but images file " + images + " has 4 images");
  }

  @Test
  void labelsFileGivenAsImagesFileIsRejectedByItsMagicNumber() {
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0, 1, 2));

    assertThatThrownBy(() -> IdxImageSource.open(labels, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + labels)
        .hasMessageContaining("0x00000801")
        .hasMessageContaining("expected 0x00000803");
  }

  @Test
  void garbageFileIsRejectedByItsMagicNumber() {
    Path images = Fixtures.write(dir.resolve("imgs.idx"), Fixtures.idxImages(2, 2, 2));
    Path labels = Fixtures.write(dir.resolve("notes.txt"), "hello world".getBytes());

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("labels file " + labels)
        .hasMessageContaining("expected 0x00000801");
  }

  @Test
  void truncatedPlainFileIsReportedWithItsName() {
    byte[] whole = Fixtures.idxImages(5, 3, 3);
    Path images = Fixtures.write(dir.resolve("imgs.idx"), Arrays.copyOf(whole, whole.length - 4));
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0, 1, 2, 3, 4));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("truncated")
        .hasMessageContaining("45 bytes");
  }

  @Test
  void truncatedGzipFileIsReportedWithItsName() {
    byte[] gz = Fixtures.gzip(Fixtures.idxImages(50, 8, 8));
    Path images = Fixtures.write(dir.resolve("imgs.gz"), Arrays.copyOf(gz, gz.length / 2));
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(new int[50]));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("truncated");
  }

  @Test
  void fileShorterThanTheHeaderIsReportedAsTruncated() {
    Path images = Fixtures.write(dir.resolve("imgs.idx"), new byte[] {0, 0, 8, 3, 0, 0});
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("truncated");
  }

  @Test
  void trailingDataAfterTheDeclaredImagesIsRejected() {
    byte[] whole = Fixtures.idxImages(2, 2, 2);
    Path images = Fixtures.write(dir.resolve("imgs.idx"), Arrays.copyOf(whole, whole.length + 3));
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0, 1));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("data after");
  }

  @Test
  void missingFileIsNamed() {
    Path images = dir.resolve("absent-images.idx");
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(images.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void installedFashionMnistTestSplitHasTenBalancedClassesOf28By28Images() {
    IdxImageSource source = Fixtures.fashionMnistTest();

    assertThat(source.size()).isEqualTo(10_000);
    assertThat(source.numClasses()).isEqualTo(10);
    assertThat(source.rows()).isEqualTo(28);
    assertThat(source.cols()).isEqualTo(28);
    int[] perClass = new int[10];
    for (int i = 0; i < source.size(); i++) {
      perClass[source.label(i)]++;
    }
    assertThat(perClass).containsOnly(1000);
    float[] first = source.image(0).toFloats();
    assertThat(first).hasSize(784);
    // A real garment image, not a blank: some ink and some background.
    assertThat(max(first)).isGreaterThan(0.5f);
    assertThat(first[0]).isEqualTo(0f);
  }

  private IdxImageSource open(byte[] images, byte[] labels) {
    return IdxImageSource.open(
        Fixtures.write(dir.resolve("i.idx"), images), Fixtures.write(dir.resolve("l.idx"), labels));
  }

  private static float max(float[] values) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      max = Math.max(max, v);
    }
    return max;
  }

  @Test
  void aGzipHeaderDeclaringGigabytesIsRefusedBeforeAnyMemoryIsSpent() {
    // 2 GB declared (40,000 images of 224x224) in a stream that holds a few bytes.
    byte[] header =
        java.nio.ByteBuffer.allocate(16)
            .putInt(0x803)
            .putInt(40_000)
            .putInt(224)
            .putInt(224)
            .array();
    Path images = Fixtures.write(dir.resolve("huge.gz"), Fixtures.gzip(header));
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("declares 2007040000 bytes")
        .hasMessageContaining("gzip file can hold");
  }

  @Test
  void aPlainHeaderDeclaringMoreThanTheFileHoldsIsRefusedBeforeReading() {
    byte[] header =
        java.nio.ByteBuffer.allocate(16)
            .putInt(0x803)
            .putInt(1_000_000)
            .putInt(28)
            .putInt(28)
            .array();
    Path images = Fixtures.write(dir.resolve("liar.idx"), header);
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("declares 784000000 bytes of data but only 0 follow");
  }

  @Test
  void aHeaderBeyondTheHeapBudgetIsRefused() {
    long budget = Runtime.getRuntime().maxMemory() / 4;
    int count = (int) Math.min(Integer.MAX_VALUE / 1024 - 1, budget / 1024 + 1);
    byte[] header =
        java.nio.ByteBuffer.allocate(16).putInt(0x803).putInt(count).putInt(32).putInt(32).array();
    byte[] gz = Fixtures.gzip(header);
    // Pad the gzip file so the deflate bound does not refuse it first.
    byte[] padded = Arrays.copyOf(gz, (int) Math.max(gz.length, (long) count * 1024 / 1000));
    Path images = Fixtures.write(dir.resolve("big.gz"), padded);
    Path labels = Fixtures.write(dir.resolve("lbls.idx"), Fixtures.idxLabels(0));

    assertThatThrownBy(() -> IdxImageSource.open(images, labels))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images file " + images)
        .hasMessageContaining("JVM heap");
  }

  @Test
  void imagesWithoutLabelsReadAsOneUnlabelledClass() {
    Path images = Fixtures.write(dir.resolve("ood.idx"), Fixtures.idxImages(3, 2, 2));
    ImageSource source = ImageSources.open(DataFormat.IDX, images, null);
    assertThat(source.size()).isEqualTo(3);
    assertThat(source.label(2)).isZero();
  }
}
