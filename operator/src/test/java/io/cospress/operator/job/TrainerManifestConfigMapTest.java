package io.cospress.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerManifestConfigMapTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void manifestRoundTripsToTheRunsSpec() {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().getCheckpoint().setClaimName("vit-checkpoints");
    run.getSpec().setQueueName("gpu-team-a");

    String yaml = TrainerManifestConfigMap.build(run).getData().get("run.yaml");
    DistillationRun parsed = new KubernetesSerialization().unmarshal(yaml, DistillationRun.class);

    assertThat(parsed.getSpec()).isEqualTo(run.getSpec());
    assertThat(parsed.getApiVersion()).isEqualTo(CosPressConstants.API_VERSION);
    assertThat(parsed.getKind()).isEqualTo(CosPressConstants.KIND);
  }

  @Test
  void manifestHasNoStatusAndOnlyTheRunsIdentityAsMetadata() throws Exception {
    DistillationRun run = TestRuns.run("vit-distil");

    JsonNode manifest =
        YAML.readTree(TrainerManifestConfigMap.build(run).getData().get("run.yaml"));

    assertThat(manifest.has("status")).isFalse();
    List<String> metadataFields = new ArrayList<>();
    manifest.get("metadata").fieldNames().forEachRemaining(metadataFields::add);
    assertThat(metadataFields).containsExactlyInAnyOrder("name", "namespace", "uid");
    assertThat(manifest.at("/metadata/uid").asText()).isEqualTo(TestRuns.UID);
  }

  @Test
  void manifestHoldsNoNullsForTheTrainersSchemaCheckToReject() throws Exception {
    DistillationRun run = TestRuns.run("vit-distil");
    run.getSpec().setQueueName(null);
    run.getSpec().setImage(null);

    JsonNode manifest = YAML.readTree(TrainerManifestConfigMap.manifestYaml(run));

    assertThat(nullPaths(manifest, "")).isEmpty();
  }

  @Test
  void configMapIsNamedLabelledAndOwnedByTheRun() {
    DistillationRun run = TestRuns.run("vit-distil");

    ConfigMap configMap = TrainerManifestConfigMap.build(run);

    assertThat(configMap.getMetadata().getName())
        .isEqualTo("vit-distil-manifest")
        .isEqualTo(TrainerManifestConfigMap.name(run));
    assertThat(configMap.getMetadata().getNamespace()).isEqualTo(TestRuns.NAMESPACE);
    assertThat(configMap.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                CosPressConstants.LABEL_RUN,
                "vit-distil",
                CosPressConstants.LABEL_MANAGED_BY,
                CosPressConstants.MANAGED_BY_VALUE));
    assertThat(configMap.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(TestRuns.UID);
              assertThat(ref.getController()).isTrue();
            });
    assertThat(configMap.getData()).containsOnlyKeys("run.yaml");
  }

  @Test
  void buildingTheManifestLeavesTheRunUntouched() {
    DistillationRun run = TestRuns.run("vit-distil");

    TrainerManifestConfigMap.build(run);

    assertThat(run.getStatus()).isNotNull();
    assertThat(run.getStatus().getObservedGeneration()).isEqualTo(3L);
    assertThat(run.getMetadata().getLabels()).containsEntry("team", "perception");
  }

  private static List<String> nullPaths(JsonNode node, String path) {
    List<String> nulls = new ArrayList<>();
    if (node.isNull()) {
      nulls.add(path);
    } else if (node.isObject()) {
      node.fields()
          .forEachRemaining(e -> nulls.addAll(nullPaths(e.getValue(), path + "/" + e.getKey())));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        nulls.addAll(nullPaths(node.get(i), path + "/" + i));
      }
    }
    return nulls;
  }
}
