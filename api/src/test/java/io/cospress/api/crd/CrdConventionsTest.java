package io.cospress.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class CrdConventionsTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void objectDefaultEqualToItsFieldsDefaultsBecomesAnEmptyObject() {
    JSONSchemaProps spec = spec("{\"epochs\": 100, \"optimizer\": {\"learningRate\": 5.0E-4}}");

    CrdConventions.collapseObjectDefaults(spec, "spec");

    assertThat(spec.getProperties().get("training").getDefault()).isEqualTo(NODES.objectNode());
  }

  @Test
  void objectDefaultThatDisagreesWithItsFieldsFailsNamingTheField() {
    JSONSchemaProps spec = spec("{\"epochs\": 10, \"optimizer\": {\"learningRate\": 5.0E-4}}");

    assertThatThrownBy(() -> CrdConventions.collapseObjectDefaults(spec, "spec"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("spec.training: the default")
        .hasMessageContaining("disagree");
  }

  @Test
  void defaultsApplyTopDownAsTheApiServerAppliesThem() {
    JSONSchemaProps training = spec("{}").getProperties().get("training");

    assertThat(CrdConventions.withDefaults(NODES.objectNode(), training).toString())
        .isEqualTo("{\"epochs\":100,\"optimizer\":{\"learningRate\":5.0E-4}}");
  }

  /** spec.training with epochs (default 100) and optimizer.learningRate (default 5e-4). */
  private static JSONSchemaProps spec(String trainingDefault) {
    JSONSchemaProps optimizer =
        new JSONSchemaPropsBuilder()
            .withType("object")
            .withDefault(NODES.objectNode())
            .addToProperties(
                "learningRate",
                new JSONSchemaPropsBuilder()
                    .withType("number")
                    .withDefault(NODES.numberNode(5e-4))
                    .build())
            .build();
    JSONSchemaProps training =
        new JSONSchemaPropsBuilder()
            .withType("object")
            .withDefault(
                Serialization.unmarshal(
                    trainingDefault, com.fasterxml.jackson.databind.JsonNode.class))
            .addToProperties(
                "epochs",
                new JSONSchemaPropsBuilder()
                    .withType("integer")
                    .withDefault(NODES.numberNode(100))
                    .build())
            .addToProperties("optimizer", optimizer)
            .build();
    return new JSONSchemaPropsBuilder()
        .withType("object")
        .addToProperties("training", training)
        .build();
  }
}
