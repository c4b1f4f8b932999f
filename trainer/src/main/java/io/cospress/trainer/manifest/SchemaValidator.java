package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a manifest against the structural schema of the CRD: types, unknown fields, required
 * fields, numeric ranges, sizes, patterns and enums. Collects every problem instead of stopping at
 * the first, so a user fixes a manifest in one pass. The CRD's CEL rules are checked by {@link
 * CelRules}.
 */
final class SchemaValidator {

  private final List<String> problems = new ArrayList<>();

  /** Fields every Kubernetes object has; the API server, not the CRD schema, checks them. */
  private static final java.util.Set<String> OBJECT_FIELDS =
      java.util.Set.of("apiVersion", "kind", "metadata", "status");

  static List<String> validate(JsonNode document, JsonNode schema) {
    SchemaValidator validator = new SchemaValidator();
    document
        .fieldNames()
        .forEachRemaining(
            field -> {
              if (!OBJECT_FIELDS.contains(field) && !schema.path("properties").has(field)) {
                validator.problems.add(field + ": unknown field");
              }
            });
    if (!document.has("spec")) {
      validator.problems.add("spec: required field is missing");
    } else {
      validator.check(document.get("spec"), schema.path("properties").path("spec"), "spec");
    }
    return validator.problems;
  }

  private void check(JsonNode value, JsonNode schema, String path) {
    if (value == null || value.isNull()) {
      if (!schema.path("nullable").asBoolean(false) && !path.isEmpty()) {
        problems.add(path + ": must not be null");
      }
      return;
    }
    String type = schema.path("type").asText("");
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!value.isTextual() && !value.isIntegralNumber()) {
        problems.add(path + ": must be an integer or a string, got " + describe(value));
      }
      return;
    }
    switch (type) {
      case "object" -> checkObject(value, schema, path);
      case "array" -> checkArray(value, schema, path);
      case "string" -> checkString(value, schema, path);
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          problems.add(path + ": must be an integer, got " + describe(value));
        } else {
          checkRange(value.asDouble(), schema, path);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          problems.add(path + ": must be a number, got " + describe(value));
        } else if (!Double.isFinite(value.asDouble())) {
          // JSON has no Infinity or NaN: the API server cannot even receive such a number.
          problems.add(path + ": must be a finite number, got " + value.asDouble());
        } else {
          checkRange(value.asDouble(), schema, path);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(path + ": must be true or false, got " + describe(value));
        }
      }
      default -> {
        // Untyped (x-kubernetes-preserve-unknown-fields): anything goes.
      }
    }
  }

  private void checkObject(JsonNode value, JsonNode schema, String path) {
    if (!value.isObject()) {
      problems.add(label(path) + ": must be an object, got " + describe(value));
      return;
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText()) || value.get(required.asText()).isNull()) {
        problems.add(join(path, required.asText()) + ": required field is missing");
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String fieldPath = join(path, field.getKey());
      if (properties.has(field.getKey())) {
        check(field.getValue(), properties.get(field.getKey()), fieldPath);
      } else if (additional.isObject()) {
        check(field.getValue(), additional, fieldPath);
      } else if (!preserveUnknown && properties.size() > 0) {
        problems.add(fieldPath + ": unknown field");
      }
    }
  }

  private void checkArray(JsonNode value, JsonNode schema, String path) {
    if (!value.isArray()) {
      problems.add(path + ": must be a list, got " + describe(value));
      return;
    }
    if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
      problems.add(path + ": needs at least " + schema.get("minItems").asInt() + " item(s)");
    }
    if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
      problems.add(path + ": allows at most " + schema.get("maxItems").asInt() + " item(s)");
    }
    for (int i = 0; i < value.size(); i++) {
      check(value.get(i), schema.path("items"), path + "[" + i + "]");
    }
  }

  private void checkString(JsonNode value, JsonNode schema, String path) {
    if (!value.isTextual()) {
      problems.add(path + ": must be a string, got " + describe(value));
      return;
    }
    String text = value.asText();
    if (schema.has("enum")) {
      List<String> allowed = new ArrayList<>();
      schema.get("enum").forEach(e -> allowed.add(e.asText()));
      if (!allowed.contains(text)) {
        problems.add(path + ": must be one of " + allowed + ", got \"" + text + "\"");
      }
    }
    if (schema.has("pattern")
        && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      problems.add(path + ": \"" + text + "\" does not match " + schema.get("pattern").asText());
    }
  }

  private void checkRange(double number, JsonNode schema, String path) {
    if (schema.has("minimum")) {
      double min = schema.get("minimum").asDouble();
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? number <= min : number < min) {
        problems.add(
            path
                + ": must be "
                + (exclusive ? "> " : ">= ")
                + plain(min)
                + ", got "
                + plain(number));
      }
    }
    if (schema.has("maximum")) {
      double max = schema.get("maximum").asDouble();
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? number >= max : number > max) {
        problems.add(
            path
                + ": must be "
                + (exclusive ? "< " : "<= ")
                + plain(max)
                + ", got "
                + plain(number));
      }
    }
  }

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String label(String path) {
    return path.isEmpty() ? "manifest" : path;
  }

  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "string \"" + value.asText() + "\"";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "a list";
    }
    return value.getNodeType().name().toLowerCase() + " " + value;
  }
}
