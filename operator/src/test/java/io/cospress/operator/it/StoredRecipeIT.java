package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stored run is the effective recipe: the API server fills in every default the CRD declares,
 * including the fields of blocks the manifest left out. Read back raw, not through the Java model,
 * so nothing on the client side can supply a value the server did not store. No operator runs here.
 */
class StoredRecipeIT {

  private static KubernetesClient admin;
  private static String namespace;

  @BeforeAll
  static void createRun() {
    admin = ApiServer.get().admin();
    namespace = ApiServer.get().newNamespace("stored-recipe");
    MinimalRun.create(namespace, "three-epochs", "training: {epochs: 3}");
  }

  private static Map<String, Object> spec() {
    GenericKubernetesResource run =
        admin
            .genericKubernetesResources("cospress.io/v1alpha1", "DistillationRun")
            .inNamespace(namespace)
            .withName("three-epochs")
            .get();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) run.getAdditionalProperties().get("spec");
    return spec;
  }

  @SuppressWarnings("unchecked")
  private static Object at(Map<String, Object> root, String path) {
    Object node = root;
    for (String key : path.split("\\.")) {
      assertThat(node).as(path).isInstanceOf(Map.class);
      node = ((Map<String, Object>) node).get(key);
    }
    return node;
  }

  /** JSON has one number type: the API server writes 5.0 as 5. */
  private static double number(Map<String, Object> root, String path) {
    Object value = at(root, path);
    assertThat(value).as(path).isInstanceOf(Number.class);
    return ((Number) value).doubleValue();
  }

  @Test
  void runWithOnlyEpochsReadsBackWithTheTemperaturesAndTheRestOfTheRecipe() {
    Map<String, Object> spec = spec();

    assertThat(at(spec, "training.epochs")).isEqualTo(3);
    assertThat(at(spec, "training.temperatures"))
        .isEqualTo(List.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1));
    assertThat(at(spec, "training.batchSize")).isEqualTo(1024);
    assertThat(number(spec, "training.optimizer.learningRate")).isEqualTo(5.0e-4);
    assertThat(number(spec, "training.optimizer.warmupEpochs")).isEqualTo(5.0);
    for (String term : List.of("local", "global", "feature", "token")) {
      assertThat(number(spec, "training.lossWeights." + term)).as(term).isEqualTo(1.0);
    }
    assertThat(at(spec, "training.pooledOnly")).isEqualTo(false);
    assertThat(at(spec, "training.seed")).isEqualTo(0);
    assertThat(at(spec, "maxRestarts")).isEqualTo(DistillationRunSpec.DEFAULT_MAX_RESTARTS);
  }

  @Test
  void blocksTheManifestLeftOutComeBackWithTheirDefaults() {
    Map<String, Object> spec = spec();

    assertThat(at(spec, "dataset.augmentation.enabled")).isEqualTo(true);
    assertThat(number(spec, "dataset.augmentation.cropScaleMin")).isEqualTo(0.5);
    assertThat(at(spec, "evaluation.knnK")).isEqualTo(200);
    assertThat(at(spec, "checkpoint.keep")).isEqualTo(3);
    assertThat(at(spec, "checkpoint.retentionPolicy")).isEqualTo("Retain");
    assertThat(at(spec, "resources.gpus")).isEqualTo(0);
  }

  @Test
  void runTheOperatorHasNotSeenReadsAsNotObserved() {
    GenericKubernetesResource run =
        admin
            .genericKubernetesResources("cospress.io/v1alpha1", "DistillationRun")
            .inNamespace(namespace)
            .withName("three-epochs")
            .get();

    assertThat(run.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(run.getAdditionalProperties().get("status"))
        .as("kstatus compares observedGeneration with metadata.generation")
        .isEqualTo(Map.of("observedGeneration", 0));
  }
}
