package io.cospress.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.manifest.ManifestLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRecipeTest {

  private static final String MANIFEST =
      """
      apiVersion: cospress.io/v1alpha1
      kind: DistillationRun
      metadata: {name: r}
      spec:
        teacher: {model: t.pt}
        student: {model: s.pt}
        dataset:
          format: idx
          imageSize: 28
          channels: 1
          train: {path: a.gz, labels: b.gz}
          validation: {path: c.gz, labels: d.gz}
        training: {epochs: 3, batchSize: 32}
        evaluation: {knnK: 20}
      """;

  private static Map<String, String> recipe(String yaml) {
    return ManifestLoader.parse(yaml, Path.of("/b")).config().recipe();
  }

  @Test
  void theRecipeHoldsEveryEffectiveTrainingFieldWithDefaultsFilledIn() {
    Map<String, String> recipe = recipe(MANIFEST);
    assertThat(recipe)
        .containsEntry("spec.training.optimizer.learningRate", "5.0E-4")
        .containsEntry("spec.training.seed", "0")
        .containsEntry("spec.dataset.augmentation.enabled", "true")
        .containsEntry("spec.dataset.mean", "[0.5]")
        .containsEntry("spec.teacher.model", "t.pt");
    assertThat(recipe.keySet())
        .noneMatch(k -> k.startsWith("spec.dataset.validation"))
        .noneMatch(k -> k.startsWith("spec.evaluation"));
  }

  @Test
  void differencesNameEachFieldWithBothValues() {
    Map<String, String> before = recipe(MANIFEST);
    Map<String, String> after =
        recipe(
            MANIFEST
                .replace("epochs: 3", "epochs: 4, seed: 9")
                .replace("knnK: 20", "knnK: 50")
                .replace("validation: {path: c.gz", "validation: {path: other.gz"));
    assertThat(RunRecipe.differences(before, after))
        .containsExactly(
            "spec.training.epochs (checkpoint 3, manifest 4)",
            "spec.training.seed (checkpoint 0, manifest 9)");
  }
}
