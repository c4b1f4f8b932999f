package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CropBoxTest {

  @Test
  void randomCropsLieInsideTheImageWithTheRequestedAreaAndAspect() {
    int width = 60;
    int height = 50;
    double minArea = Double.MAX_VALUE;
    for (int seed = 0; seed < 2000; seed++) {
      CropBox box = CropBox.randomResized(width, height, 0.3, new SplittableRandom(seed));

      assertThat(box.x()).isGreaterThanOrEqualTo(0);
      assertThat(box.y()).isGreaterThanOrEqualTo(0);
      assertThat(box.x() + box.width()).isLessThanOrEqualTo(width);
      assertThat(box.y() + box.height()).isLessThanOrEqualTo(height);
      double fraction = (double) box.width() * box.height() / (width * height);
      // Rounding each side to whole pixels moves the area by up to about one row and column.
      assertThat(fraction).isBetween(0.3 - 0.05, 1.0);
      double aspect = (double) box.width() / box.height();
      assertThat(aspect).isBetween(0.75 * 0.93, 4.0 / 3.0 / 0.93);
      minArea = Math.min(minArea, fraction);
    }
    assertThat(minArea).as("small crops actually occur").isLessThan(0.35);
  }

  @Test
  void imagesTooElongatedForAnyCropFallBackToTheCentreCrop() {
    CropBox box = CropBox.randomResized(100, 10, 0.3, new SplittableRandom(1));

    assertThat(box).isEqualTo(new CropBox(43, 0, 13, 10));
  }
}
