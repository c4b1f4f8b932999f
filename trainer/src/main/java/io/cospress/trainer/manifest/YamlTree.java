package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a manifest's YAML into a JSON tree the way kubectl and the API server read it (they convert
 * YAML to JSON with YAML 1.1 scalars before anything else sees it): aliases and merge keys resolve
 * to the values they point at, a key given twice is an error (kubectl's strict field validation),
 * and so is a second document, since a manifest describes one run. Errors carry the line. Alias
 * expansion is bounded, so a "billion laughs" document is refused, not expanded.
 */
final class YamlTree {

  /** A ConfigMap, where the operator keeps the manifest, holds at most 1 MiB. */
  static final int MAX_CHARACTERS = 1 << 20;

  private static final int MAX_ALIASES = 50;
  private static final int MAX_DEPTH = 100;

  private YamlTree() {}

  /**
   * Parses exactly one YAML document.
   *
   * @throws ManifestException with one line naming the problem and its line
   */
  static JsonNode parse(String yaml) {
    if (yaml.length() > MAX_CHARACTERS) {
      throw problem(
          "is "
              + yaml.length()
              + " characters long; a manifest may have at most "
              + MAX_CHARACTERS
              + " (a ConfigMap's limit)");
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CHARACTERS * 4);
    Constructor constructor = new Constructor(options);
    Yaml reader = new Yaml(constructor);
    try {
      List<Node> documents = new ArrayList<>();
      for (Node document : reader.composeAll(new StringReader(yaml))) {
        if (!isEmpty(document)) {
          documents.add(document);
        }
        if (documents.size() > 1) {
          throw problem(
              at(document.getStartMark())
                  + "a second YAML document; a manifest holds exactly one DistillationRun");
        }
      }
      if (documents.isEmpty()) {
        return null;
      }
      return toJson(constructor.construct(documents.get(0)), new IdentityHashMap<>(), 0);
    } catch (DuplicateKeyException e) {
      throw problem(
          at(e.getProblemMark())
              + firstLine(e.getProblem())
              + " (a key may appear once; kubectl and the API server refuse duplicates)");
    } catch (MarkedYAMLException e) {
      throw problem("not valid YAML, " + at(e.getProblemMark()) + firstLine(e.getProblem()));
    } catch (YAMLException e) {
      throw problem("not valid YAML: " + firstLine(e.getMessage()));
    }
  }

  private static boolean isEmpty(Node document) {
    return document instanceof ScalarNode scalar
        && scalar.getTag().equals(Tag.NULL)
        && scalar.getValue().isEmpty();
  }

  private static JsonNode toJson(Object value, Map<Object, Boolean> open, int depth) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    if (value == null) {
      return json.nullNode();
    }
    if (value instanceof String s) {
      return json.textNode(s);
    }
    if (value instanceof Boolean b) {
      return json.booleanNode(b);
    }
    if (value instanceof Integer i) {
      return json.numberNode(i);
    }
    if (value instanceof Long l) {
      return json.numberNode(l);
    }
    if (value instanceof BigInteger big) {
      return json.numberNode(big);
    }
    if (value instanceof Double d) {
      return json.numberNode(d);
    }
    if (value instanceof Date date) {
      // JSON has no timestamps: the API server sees YAML timestamps as RFC 3339 strings.
      return json.textNode(
          DateTimeFormatter.ISO_INSTANT.format(date.toInstant().atOffset(ZoneOffset.UTC)));
    }
    if (value instanceof byte[] bytes) {
      return json.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (depth > MAX_DEPTH || open.put(value, Boolean.TRUE) != null) {
      throw problem(
          "an alias refers to the collection that contains it; YAML for Kubernetes"
              + " cannot be recursive");
    }
    try {
      if (value instanceof Map<?, ?> map) {
        ObjectNode object = json.objectNode();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          object.set(String.valueOf(entry.getKey()), toJson(entry.getValue(), open, depth + 1));
        }
        return object;
      }
      if (value instanceof Collection<?> list) {
        ArrayNode array = json.arrayNode();
        for (Object item : list) {
          array.add(toJson(item, open, depth + 1));
        }
        return array;
      }
    } finally {
      open.remove(value);
    }
    return json.textNode(String.valueOf(value));
  }

  private static String at(Mark mark) {
    return mark == null ? "" : "line " + (mark.getLine() + 1) + ": ";
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  private static ManifestException problem(String message) {
    return new ManifestException(List.of("manifest: " + message));
  }

  /** SnakeYAML's YAML 1.1 scalars, maps and lists, for one composed document at a time. */
  private static final class Constructor extends SafeConstructor {
    Constructor(LoaderOptions options) {
      super(options);
    }

    Object construct(Node document) {
      return constructDocument(document);
    }
  }
}
