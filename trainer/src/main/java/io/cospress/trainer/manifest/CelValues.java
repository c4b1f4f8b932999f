package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the API server hands a value of a structural schema to CEL: the schema, not the JSON, decides
 * the type, so {@code 1} in a {@code number} field is the double {@code 1.0} (YAML and JSON write
 * whole numbers without a point) and compares as one; {@code integer} is a 64-bit int, arrays are
 * lists, objects are maps from field name to value (absent fields absent, so {@code has()} tests
 * presence), and untyped values keep their JSON type.
 */
final class CelValues {

  private CelValues() {}

  /** The CEL type of {@code self} at a node of this schema. */
  static CelType typeOf(JsonNode schema) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return SimpleType.DYN;
    }
    return switch (schema.path("type").asText("")) {
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "string" -> SimpleType.STRING;
      case "boolean" -> SimpleType.BOOL;
      case "array" -> ListType.create(typeOf(schema.path("items")));
      case "object" ->
          schema.path("additionalProperties").isObject()
              ? MapType.create(SimpleType.STRING, typeOf(schema.path("additionalProperties")))
              : MapType.create(SimpleType.STRING, SimpleType.DYN);
      default -> SimpleType.DYN;
    };
  }

  /** The value of a schema-valid {@code node} as CEL sees it. */
  static Object of(JsonNode node, JsonNode schema) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return node.isTextual() ? node.asText() : node.longValue();
    }
    return switch (schema.path("type").asText("")) {
      case "integer" -> node.longValue();
      case "number" -> node.doubleValue();
      case "string" -> node.asText();
      case "boolean" -> node.booleanValue();
      case "array" -> list(node, schema.path("items"));
      case "object" -> map(node, schema);
      default -> untyped(node);
    };
  }

  private static List<Object> list(JsonNode node, JsonNode items) {
    List<Object> list = new ArrayList<>();
    node.forEach(item -> list.add(of(item, items)));
    return list;
  }

  private static Map<String, Object> map(JsonNode node, JsonNode schema) {
    Map<String, Object> map = new LinkedHashMap<>();
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    node.fields()
        .forEachRemaining(
            field -> {
              if (field.getValue().isNull()) {
                return; // only nullable fields can be null here; CEL sees them as absent
              }
              JsonNode fieldSchema =
                  properties.has(field.getKey())
                      ? properties.get(field.getKey())
                      : additional.isObject() ? additional : null;
              map.put(
                  field.getKey(),
                  fieldSchema == null
                      ? untyped(field.getValue())
                      : of(field.getValue(), fieldSchema));
            });
    return map;
  }

  private static Object untyped(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(untyped(item)));
      return list;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(f -> map.put(f.getKey(), untyped(f.getValue())));
      return map;
    }
    return node.asText();
  }
}
