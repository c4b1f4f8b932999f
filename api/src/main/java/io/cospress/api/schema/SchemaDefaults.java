package io.cospress.api.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills in the CRD schema's defaults the way the API server does before it validates a custom
 * resource: a {@code null} field that is not nullable is dropped first, then every absent field
 * with a {@code default} gets a copy of it, and the same happens inside every present (or just
 * defaulted) object and list item. An object without a default of its own stays absent, so its
 * fields' defaults apply only once it is given. The trainer defaults local manifests with it; tests
 * use it to build runs as the API server stores them.
 */
public final class SchemaDefaults {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private SchemaDefaults() {}

  /** A copy of {@code spec} with the schema's defaults filled in, as the API server stores it. */
  public static DistillationRunSpec of(DistillationRunSpec spec) {
    JsonNode tree = JSON.valueToTree(spec);
    apply(tree, CrdSchema.specSchema());
    try {
      return JSON.treeToValue(tree, DistillationRunSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a defaulted spec does not read back", e);
    }
  }

  /** Fills the defaults of {@code schema} into {@code value} in place. */
  public static void apply(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      applyToObject(object, schema);
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      for (JsonNode item : array) {
        apply(item, schema.get("items"));
      }
    }
  }

  private static void applyToObject(ObjectNode object, JsonNode schema) {
    JsonNode properties = schema.path("properties");
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode property = properties.path(name);
      if (properties.has(name)
          && object.get(name).isNull()
          && !property.path("nullable").asBoolean(false)) {
        object.remove(name);
      }
    }
    properties
        .fields()
        .forEachRemaining(
            p -> {
              if (!object.has(p.getKey()) && p.getValue().has("default")) {
                object.set(p.getKey(), p.getValue().get("default").deepCopy());
              }
            });
    JsonNode additional = schema.path("additionalProperties");
    object
        .fields()
        .forEachRemaining(
            field -> {
              if (properties.has(field.getKey())) {
                apply(field.getValue(), properties.get(field.getKey()));
              } else if (additional.isObject()) {
                apply(field.getValue(), additional);
              }
            });
  }
}
