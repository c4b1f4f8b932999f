package io.cospress.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's manifest reference names every field of the CRD's spec, so it cannot go stale. */
class ManifestReferenceTest {

  /** Kubernetes core types embedded whole; the reference links to their own documentation. */
  private static final Set<String> CORE_TYPES =
      Set.of("resources.tolerations", "resources.affinity");

  @Test
  void readmeDocumentsEverySpecField() throws Exception {
    JsonNode crd =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("../crds", GeneratedCrdTest.FILE).toFile());
    JsonNode spec =
        crd.path("spec")
            .path("versions")
            .get(0)
            .path("schema")
            .path("openAPIV3Schema")
            .path("properties")
            .path("spec");
    List<String> fields = new ArrayList<>();
    collect(spec, "", fields);
    String readme = Files.readString(Path.of("../README.md"));

    assertThat(fields).hasSizeGreaterThan(50);
    assertThat(fields)
        .allSatisfy(
            field ->
                assertThat(readme).as("README mentions `%s`", field).contains("`" + field + "`"));
  }

  private static void collect(JsonNode schema, String prefix, List<String> out) {
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> property = properties.next();
      String path = prefix.isEmpty() ? property.getKey() : prefix + "." + property.getKey();
      out.add(path);
      if (!CORE_TYPES.contains(path)) {
        collect(property.getValue(), path, out);
      }
    }
  }
}
