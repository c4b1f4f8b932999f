package io.cospress.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPipelineBenchmarkTest {

  @TempDir Path dir;

  @Test
  void reportsTheImagesItLoadedAndAPositiveRateAsJson() {
    Path images = Fixtures.write(dir.resolve("i.idx"), Fixtures.idxImages(50, 6, 6));
    Path labels = Fixtures.write(dir.resolve("l.idx"), Fixtures.idxLabels(new int[50]));
    DataPipelineBenchmark.Options options =
        DataPipelineBenchmark.Options.parse(
            new String[] {
              "--format",
              "idx",
              "--path",
              images.toString(),
              "--labels",
              labels.toString(),
              "--image-size",
              "8",
              "--batch",
              "16",
              "--workers",
              "2",
              "--batches",
              "7",
              "--warmup",
              "2"
            });

    String json = DataPipelineBenchmark.run(options);

    // 50 images make 3 batches of 16 per epoch, so 7 batches span several epochs.
    assertThat(json).startsWith("{").endsWith("}");
    assertThat(json)
        .contains(
            "\"batches\":7",
            "\"imagesLoaded\":112",
            "\"workers\":2",
            "\"imageSize\":8",
            "\"channels\":1",
            "\"images\":50");
    Matcher rate = Pattern.compile("\"imagesPerSecond\":([0-9.]+)").matcher(json);
    assertThat(rate.find()).isTrue();
    assertThat(Double.parseDouble(rate.group(1))).isPositive();
  }

  @Test
  void rejectsUnknownOptionsAndMissingFormat() {
    assertThatThrownBy(
            () -> DataPipelineBenchmark.Options.parse(new String[] {"--path", "x", "--speed", "9"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--format");
    assertThatThrownBy(
            () ->
                DataPipelineBenchmark.Options.parse(
                    new String[] {"--format", "idx", "--path", "x", "--speed", "9"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("speed");
  }
}
