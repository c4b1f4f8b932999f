package io.cospress.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.api.v1alpha1.DatasetFormat;
import io.cospress.api.v1alpha1.RunPhase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestLoaderTest {

  static final String VALID =
      """
      apiVersion: cospress.io/v1alpha1
      kind: DistillationRun
      metadata:
        name: demo
        namespace: team-a
      spec:
        teacher:
          model: models/teacher.pt
        student:
          model: models/student.pt
        dataset:
          format: idx
          imageSize: 28
          channels: 1
          train:
            path: data/train-images.gz
            labels: data/train-labels.gz
        training:
          epochs: 3
          batchSize: 32
      """;

  private static List<String> problemsOf(String yaml) {
    try {
      ManifestLoader.parse(yaml, Path.of("/base"));
    } catch (ManifestException e) {
      return e.problems();
    }
    throw new AssertionError("manifest was accepted");
  }

  @Test
  void validManifestLoadsWithDefaultsFilledIn() {
    RunManifest manifest = ManifestLoader.parse(VALID, Path.of("/base"));
    var spec = manifest.run().getSpec();
    assertThat(manifest.name()).isEqualTo("demo");
    assertThat(manifest.namespace()).isEqualTo("team-a");
    assertThat(spec.getDataset().getFormat()).isEqualTo(DatasetFormat.IDX);
    assertThat(spec.getTraining().getTemperatures()).hasSize(10).first().isEqualTo(0.01);
    assertThat(spec.getTraining().getOptimizer().getWeightDecay()).isEqualTo(0.05);
    assertThat(spec.getEvaluation().getKnnK()).isEqualTo(200);
    assertThat(manifest.resolve("f", "models/teacher.pt"))
        .isEqualTo(Path.of("/base/models/teacher.pt"));
    assertThat(RunPhase.Succeeded.isTerminal()).isTrue();
  }

  @Test
  void confinedPathsCannotLeaveTheirVolume() {
    RunManifest confined =
        ManifestLoader.parse(VALID, Path.of("/base")).withBaseDir(Path.of("/volume"), true);
    assertThat(confined.resolve("spec.teacher.model", "models/t.pt"))
        .isEqualTo(Path.of("/volume/models/t.pt"));
    assertThatThrownBy(() -> confined.resolve("spec.teacher.model", "../etc/passwd"))
        .isInstanceOf(PathEscapeException.class)
        .hasMessage(
            "spec.teacher.model: \"../etc/passwd\" leaves its volume /volume; use a path inside it");
    assertThatThrownBy(() -> confined.resolve("spec.dataset.train.path", "/etc/shadow"))
        .isInstanceOf(PathEscapeException.class)
        .hasMessageStartingWith("spec.dataset.train.path:");
    assertThatThrownBy(() -> confined.resolve("spec.student.model", "models/../../x"))
        .isInstanceOf(PathEscapeException.class);
  }

  @Test
  void unconfinedPathsMayPointAnywhereForLocalRuns() {
    RunManifest local = ManifestLoader.parse(VALID, Path.of("/base"));
    assertThat(local.resolve("f", "../shared/t.pt")).isEqualTo(Path.of("/shared/t.pt"));
  }

  @Test
  void unknownFieldIsNamedWithItsPath() {
    assertThat(problemsOf(VALID.replace("    epochs: 3", "    epochs: 3\n    epohcs: 4")))
        .containsExactly("spec.training.epohcs: unknown field");
  }

  @Test
  void wrongTypeIsNamed() {
    assertThat(problemsOf(VALID.replace("epochs: 3", "epochs: three")))
        .containsExactly("spec.training.epochs: must be an integer, got string \"three\"");
  }

  @Test
  void negativeEpochsAreRejected() {
    assertThat(problemsOf(VALID.replace("epochs: 3", "epochs: -1")))
        .containsExactly("spec.training.epochs: must be >= 1, got -1");
  }

  @Test
  void batchSizeBelowTwoIsRejected() {
    assertThat(problemsOf(VALID.replace("batchSize: 32", "batchSize: 1")))
        .containsExactly("spec.training.batchSize: must be >= 2, got 1");
  }

  @Test
  void emptyTemperatureListIsRejected() {
    assertThat(problemsOf(VALID.replace("batchSize: 32", "batchSize: 32\n    temperatures: []")))
        .containsExactly("spec.training.temperatures: needs at least 1 item(s)");
  }

  @Test
  void nonPositiveTemperatureIsRejected() {
    assertThat(
            problemsOf(VALID.replace("batchSize: 32", "batchSize: 32\n    temperatures: [0.1, 0]")))
        .containsExactly("spec.training.temperatures: every temperature must be > 0, got 0.0");
  }

  @Test
  void everyProblemIsReportedAtOnceOnePerLine() {
    String yaml =
        VALID
            .replace("epochs: 3", "epochs: 0")
            .replace("batchSize: 32", "batchSize: 1\n    colour: red")
            .replace("format: idx", "format: tfrecord");
    assertThat(problemsOf(yaml))
        .containsExactlyInAnyOrder(
            "spec.training.epochs: must be >= 1, got 0",
            "spec.training.batchSize: must be >= 2, got 1",
            "spec.training.colour: unknown field",
            "spec.dataset.format: must be one of [idx, imageFolder], got \"tfrecord\"");
  }

  @Test
  void missingRequiredSectionIsNamed() {
    String yaml = VALID.replace("  teacher:\n    model: models/teacher.pt\n", "");
    assertThat(problemsOf(yaml)).containsExactly("spec.teacher: required field is missing");
  }

  @Test
  void studentNeedsExactlyOneOfModelOrArchitecture() {
    String yaml =
        VALID.replace(
            "    model: models/student.pt",
            "    model: models/student.pt\n    architecture:\n      type: vit\n      patchSize: 4");
    assertThat(problemsOf(yaml))
        .containsExactly("spec.student: set exactly one of student.model or student.architecture");
  }

  @Test
  void normalisationNeedsOneValuePerChannel() {
    String yaml = VALID.replace("channels: 1", "channels: 1\n    mean: [0.5, 0.5, 0.5]");
    assertThat(problemsOf(yaml))
        .containsExactly("spec.dataset.mean: needs one value per channel (1), got 3");
  }

  @Test
  void wrongKindAndVersionAreNamed() {
    String yaml = VALID.replace("kind: DistillationRun", "kind: Job").replace("v1alpha1", "v9");
    assertThat(problemsOf(yaml))
        .contains(
            "apiVersion: must be cospress.io/v1alpha1, got \"cospress.io/v9\"",
            "kind: must be DistillationRun, got \"Job\"");
  }

  @Test
  void malformedQuantityIsRejected() {
    String yaml = VALID + "  resources:\n    memory: lots\n";
    assertThat(problemsOf(yaml)).singleElement().asString().startsWith("spec.resources.memory:");
  }

  @Test
  void invalidYamlNamesTheLine() {
    assertThatThrownBy(() -> ManifestLoader.parse("spec: [unclosed", Path.of("/")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("not valid YAML")
        .hasMessageContaining("line");
  }
}
