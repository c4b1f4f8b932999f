package io.cospress.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that fails after training started says so where a user (or script) looks: status.json ends
 * in phase Failed with the same one-line cause the trainer prints, not in Running.
 */
class FailedRunStatusTest {

  @TempDir Path work;

  @Test
  void aCorruptImageMidEpochLeavesStatusFailedWithTheCause() throws Exception {
    Path fixture = TinyRun.prepare(work.resolve("fixture"));
    Path folder = work.resolve("folder");
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < 16; i++) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(i, c, 0, 255);
        Path file = folder.resolve("class" + c + "/" + String.format("%02d.png", i));
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
      }
    }
    // Sorted last, so the up-front check of the first image passes and training starts.
    Files.writeString(folder.resolve("class1/zz-broken.png"), "not a png");
    String yaml =
        TinyRun.manifest(fixture + "/")
            .replace("format: idx", "format: imageFolder")
            .replaceAll(
                "(?s)    train:.*?    ood:\n      path: \\S+\n",
                "    train:\n      path: " + folder + "\n")
            .replace("batchSize: 32", "batchSize: 11");
    Path manifest = Files.writeString(work.resolve("run.yaml"), yaml);
    Path output = work.resolve("out");

    CliRun.Outcome outcome =
        CliRun.execute(Map.of(), "run", "-f", manifest.toString(), "--output", output.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
    String error =
        outcome.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
    assertThat(error).contains("zz-broken.png").contains("not a PNG or JPEG image");
    JsonNode status =
        new ObjectMapper().readTree(output.resolve("checkpoints/status.json").toFile());
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat("error: " + status.path("message").asText()).isEqualTo(error);
  }
}
