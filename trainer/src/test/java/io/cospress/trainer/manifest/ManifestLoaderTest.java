package io.cospress.trainer.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.trainer.config.PathEscapeException;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.data.DataFormat;
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
    var config = manifest.config();
    assertThat(manifest.name()).isEqualTo("demo");
    assertThat(manifest.namespace()).isEqualTo("team-a");
    assertThat(config.dataset().format()).isEqualTo(DataFormat.IDX);
    assertThat(config.training().temperatures()).hasSize(10).first().isEqualTo(0.01);
    assertThat(config.training().optimizer().adamW().weightDecay()).isEqualTo(0.05);
    assertThat(config.evaluation().knnK()).isEqualTo(200);
    assertThat(manifest.resolve("f", "models/teacher.pt"))
        .isEqualTo(Path.of("/base/models/teacher.pt"));
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
    assertThat(local.resolve("f", "../models/t.pt")).isEqualTo(Path.of("/models/t.pt"));
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
        .containsExactly("spec.training.temperatures: every temperature must be > 0");
  }

  @Test
  void precisionDefaultsToTf32AndReadsGpusAndRefusesOtherFormats() {
    var training = ManifestLoader.parse(VALID, Path.of("/base")).config().training();
    assertThat(training.precision()).isEqualTo(io.cospress.trainer.config.Precision.TF32);
    assertThat(training.gpus()).isZero();

    String bf16 =
        VALID.replace("batchSize: 32", "batchSize: 32\n    precision: bf16")
            + "  resources:\n    gpus: 4\n";
    var chosen = ManifestLoader.parse(bf16, Path.of("/base")).config().training();
    assertThat(chosen.precision()).isEqualTo(io.cospress.trainer.config.Precision.BF16);
    assertThat(chosen.gpus()).isEqualTo(4);

    assertThat(problemsOf(VALID.replace("batchSize: 32", "batchSize: 32\n    precision: fp16")))
        .containsExactly(
            "spec.training.precision: must be one of [bf16, fp32, tf32], got \"fp16\"");
  }

  @Test
  void precisionIsNotPartOfTheRecipeSoAResumeMayChangeIt() {
    var recipe =
        ManifestLoader.parse(
                VALID.replace("batchSize: 32", "batchSize: 32\n    precision: bf16"),
                Path.of("/base"))
            .config()
            .recipe();
    assertThat(recipe)
        .containsKey("spec.training.seed")
        .doesNotContainKey("spec.training.precision");
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
        .containsExactly("spec.dataset.mean: needs one value per channel (dataset.channels)");
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

  @Test
  void aliasesResolveToTheValuesTheyPointAtAsKubectlReadsThem() {
    // An anchor on a value inside the spec, an alias elsewhere, and a merge key.
    String anchored =
        VALID
            .replace("epochs: 3", "epochs: &three 3")
            .replace("batchSize: 32", "batchSize: 32\n    seed: *three")
            .replace("  dataset:\n", "  dataset:\n    <<: {imageSize: 28}\n")
            .replace("    imageSize: 28\n    channels: 1", "    channels: 1");
    RunManifest manifest = ManifestLoader.parse(anchored, Path.of("/base"));
    assertThat(manifest.config().training().seed()).isEqualTo(3L);
    assertThat(manifest.config().dataset().imageSize()).isEqualTo(28);
  }

  @Test
  void aKeyGivenTwiceIsAnErrorWithItsLine() {
    String yaml = VALID.replace("    batchSize: 32", "    batchSize: 32\n    epochs: 5");
    assertThat(problemsOf(yaml))
        .singleElement()
        .asString()
        .startsWith("manifest: line 21: found duplicate key epochs");
  }

  @Test
  void aSecondDocumentIsAnErrorWithItsLine() {
    assertThat(problemsOf(VALID + "---\napiVersion: v1\nkind: ConfigMap\n"))
        .containsExactly(
            "manifest: line 22: a second YAML document; a manifest holds exactly one"
                + " DistillationRun");
  }

  @Test
  void aTrailingDocumentSeparatorIsNotASecondDocument() {
    assertThat(ManifestLoader.parse(VALID + "---\n", Path.of("/b")).name()).isEqualTo("demo");
  }

  @Test
  void aliasExpansionIsBounded() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    assertThat(problemsOf(yaml.toString()))
        .singleElement()
        .asString()
        .startsWith("manifest: not valid YAML");
  }

  @Test
  void nonFiniteNumbersAreRejectedWithTheField() {
    String yaml =
        VALID.replace(
            "    batchSize: 32",
            "    batchSize: 32\n    optimizer:\n      learningRate: 1e999\n      weightDecay: .nan"
                + "\n    temperatures: [0.1, .inf]");
    assertThat(problemsOf(yaml))
        .containsExactlyInAnyOrder(
            "spec.training.optimizer.learningRate: must be a finite number, got Infinity",
            "spec.training.optimizer.weightDecay: must be a finite number, got NaN",
            "spec.training.temperatures[1]: must be a finite number, got Infinity");
  }

  @Test
  void anIntegerBeyondItsJavaTypeNamesTheField() {
    assertThat(problemsOf(VALID.replace("epochs: 3", "epochs: 99999999999")))
        .singleElement()
        .asString()
        .startsWith("spec.training.epochs: ");
  }

  @Test
  void runNamesMustBeWhatTheApiServerAccepts() {
    assertThat(problemsOf(VALID.replace("name: demo", "name: ../../x")))
        .singleElement()
        .asString()
        .startsWith("metadata.name: \"../../x\" is not a DNS-1123 subdomain");
    assertThat(problemsOf(VALID.replace("namespace: team-a", "namespace: Team_A")))
        .singleElement()
        .asString()
        .startsWith("metadata.namespace: \"Team_A\" is not a DNS-1123 label");
  }

  @Test
  void oodLabelsAreOptionalForIdxButValidationLabelsAreNot() {
    String yaml =
        VALID.replace(
            "  training:\n",
            "    ood:\n      path: data/ood.gz\n    validation:\n      path: data/val.gz\n"
                + "  training:\n");
    assertThat(problemsOf(yaml))
        .containsExactly("spec.dataset.validation.labels: required for the idx format");
  }

  @Test
  void twoChannelsAreRejected() {
    assertThat(problemsOf(VALID.replace("channels: 1", "channels: 2")))
        .containsExactly("spec.dataset.channels: must be 1 (grayscale) or 3 (RGB)");
  }

  @Test
  void withoutAnAugmentationBlockAugmentationIsOnWithItsDocumentedDefaults() {
    var aug = ManifestLoader.parse(VALID, Path.of("/b")).config().dataset().augmentation();
    assertThat(aug.enabled()).isTrue();
    assertThat(aug.cropScaleMin()).isEqualTo(0.5);
    assertThat(aug.horizontalFlip()).isTrue();
    assertThat(aug.colorJitter()).isEqualTo(0.2);
    var nulled =
        ManifestLoader.parse(
                VALID.replace("channels: 1", "channels: 1\n    augmentation:"), Path.of("/b"))
            .config()
            .dataset()
            .augmentation();
    assertThat(nulled.enabled()).isTrue();
  }

  @Test
  void unsetMeanAndStdBecomeTheDocumentedStatisticsPerChannelCount() {
    var gray = ManifestLoader.parse(VALID, Path.of("/b")).config().dataset();
    assertThat(gray.mean()).containsExactly(0.5);
    assertThat(gray.std()).containsExactly(0.5);
    var rgb =
        ManifestLoader.parse(VALID.replace("channels: 1", "channels: 3"), Path.of("/b"))
            .config()
            .dataset();
    assertThat(rgb.mean()).containsExactly(0.485, 0.456, 0.406);
    assertThat(rgb.std()).containsExactly(0.229, 0.224, 0.225);
  }

  @Test
  void anExplicitNullIsReadAsAbsentSoItsDefaultApplies() {
    var training =
        ManifestLoader.parse(VALID.replace("epochs: 3", "epochs: 3\n    seed:"), Path.of("/b"))
            .config()
            .training();
    assertThat(training.seed()).isZero();
  }
}
