package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The API server's rules for {@code metadata.name} (a DNS-1123 subdomain) and {@code
 * metadata.namespace} (a DNS-1123 label). Locally they matter too: the run's name becomes the
 * default output directory {@code out/<name>}, so a name like {@code ../../x} must not get that
 * far.
 */
final class ObjectMetaRules {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private ObjectMetaRules() {}

  static List<String> check(JsonNode metadata) {
    List<String> problems = new ArrayList<>();
    if (metadata == null || metadata.isNull()) {
      return problems;
    }
    if (!metadata.isObject()) {
      problems.add("metadata: must be an object");
      return problems;
    }
    JsonNode name = metadata.get("name");
    if (name != null && !name.isNull()) {
      check("metadata.name", name, SUBDOMAIN, 253, "a DNS-1123 subdomain", problems);
    }
    JsonNode namespace = metadata.get("namespace");
    if (namespace != null && !namespace.isNull()) {
      check("metadata.namespace", namespace, LABEL, 63, "a DNS-1123 label", problems);
    }
    return problems;
  }

  private static void check(
      String field, JsonNode value, Pattern pattern, int max, String what, List<String> problems) {
    if (!value.isTextual()) {
      problems.add(field + ": must be a string, got " + value);
      return;
    }
    String text = value.asText();
    if (text.length() > max || !pattern.matcher(text).matches()) {
      problems.add(
          field
              + ": \""
              + text
              + "\" is not "
              + what
              + " (lower-case letters, digits and '-'"
              + (pattern == SUBDOMAIN ? " or '.'" : "")
              + ", starting and ending with a letter or digit, at most "
              + max
              + " characters)");
    }
  }
}
