package io.cospress.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a pod ({@code COSPRESS_CONFINE_PATHS=true}, output and base directory the volume) symbolic
 * links planted in the volume cannot lead the trainer out of it: a linked checkpoint directory, a
 * linked teacher and a linked final directory are refused before anything is read or written
 * through them, and a run name cannot climb out of the output root either.
 */
class PodPathConfinementTest {

  private static final Map<String, String> POD =
      Map.of(CosPressConstants.ENV_CONFINE_PATHS, "true");

  @TempDir Path work;

  private Path volume;
  private Path outside;

  private String[] run(Path manifest) {
    return new String[] {
      "run",
      "-f",
      manifest.toString(),
      "--output",
      volume.toString(),
      "--base-dir",
      volume.toString()
    };
  }

  private Path volumeWithTinyRun(String manifestChange, String replacement) throws Exception {
    volume = TinyRun.prepare(work.resolve("volume"));
    outside = Files.createDirectories(work.resolve("outside"));
    return Files.writeString(
        work.resolve("run.yaml"), TinyRun.manifest("").replace(manifestChange, replacement));
  }

  @Test
  void aCheckpointDirectoryLinkedOutOfTheVolumeIsRefusedAndNothingIsWrittenThere()
      throws Exception {
    Path manifest = volumeWithTinyRun("path: checkpoints", "path: checkpoints");
    Files.createSymbolicLink(volume.resolve("checkpoints"), outside);

    CliRun.Outcome outcome = CliRun.execute(POD, run(manifest));

    assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
    assertThat(outcome.err())
        .startsWith("error: spec.checkpoint.path: ")
        .contains("leads outside its volume " + volume + " through a symbolic link");
    try (var written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
    assertThat(volume.resolve("checkpoints/status.json")).doesNotExist();
  }

  @Test
  void aTeacherLinkedToAFileOutsideTheVolumeIsNotOpened() throws Exception {
    Path secret = Files.copy(TinyRun.model("teacher-tuple.pt"), work.resolve("secret.pt"));
    Path manifest = volumeWithTinyRun("models/teacher.pt", "models/innocent.pt");
    Files.createSymbolicLink(volume.resolve("models/innocent.pt"), secret);

    CliRun.Outcome outcome = CliRun.execute(POD, run(manifest));

    assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
    assertThat(outcome.err())
        .startsWith("error: spec.teacher.model: " + volume.resolve("models/innocent.pt"))
        .contains("leads outside its volume")
        .contains("(to " + secret + ")");
  }

  @Test
  void aFinalDirectoryLinkedOutOfTheVolumeIsRefused() throws Exception {
    Path manifest = volumeWithTinyRun("path: checkpoints", "path: checkpoints");
    Files.createDirectories(volume.resolve("checkpoints"));
    Files.createSymbolicLink(volume.resolve("checkpoints/final"), outside);

    CliRun.Outcome outcome = CliRun.execute(POD, run(manifest));

    assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
    assertThat(outcome.err()).contains("final/ directory").contains("leads outside its volume");
    try (var written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
  }

  @Test
  void linksThatStayInsideTheVolumeAreFollowed() throws Exception {
    Path manifest = volumeWithTinyRun("models/teacher.pt", "models/alias.pt");
    Files.createSymbolicLink(
        volume.resolve("models/alias.pt"), volume.resolve("models/teacher.pt"));

    CliRun.Outcome outcome =
        CliRun.execute(
            POD,
            "validate",
            "-f",
            manifest.toString(),
            "--output",
            volume.toString(),
            "--base-dir",
            volume.toString());

    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("teacher " + volume.resolve("models/teacher.pt"));
  }

  @Test
  void aRunNameCannotClimbOutOfTheOutputRoot() throws Exception {
    Path manifest = volumeWithTinyRun("name: tiny", "name: ../../escaped");

    CliRun.Outcome outcome = CliRun.execute(POD, "run", "-f", manifest.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err())
        .startsWith("error: metadata.name: \"../../escaped\" is not a DNS-1123 subdomain");
    assertThat(Path.of("../../escaped").toAbsolutePath().normalize()).doesNotExist();
  }
}
