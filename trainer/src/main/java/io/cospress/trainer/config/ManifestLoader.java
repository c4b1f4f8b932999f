package io.cospress.trainer.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a DistillationRun manifest and rejects it with every problem at once if it is invalid. */
public final class ManifestLoader {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          // The schema check already reported unknown fields with their paths.
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ManifestLoader() {}

  public static RunManifest load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "manifest not found");
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(Files.readString(file), base);
  }

  public static RunManifest parse(String yaml, Path baseDir) {
    JsonNode document;
    try {
      document = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          List.of("manifest: not valid YAML: " + e.getOriginalMessage() + locationOf(e)));
    }
    if (document == null || !document.isObject()) {
      throw new ManifestException(List.of("manifest: expected a DistillationRun object"));
    }
    List<String> problems = new ArrayList<>();
    if (!CosPressConstants.API_VERSION.equals(document.path("apiVersion").asText())) {
      problems.add(
          "apiVersion: must be "
              + CosPressConstants.API_VERSION
              + ", got \""
              + document.path("apiVersion").asText()
              + "\"");
    }
    if (!CosPressConstants.KIND.equals(document.path("kind").asText())) {
      problems.add(
          "kind: must be "
              + CosPressConstants.KIND
              + ", got \""
              + document.path("kind").asText()
              + "\"");
    }
    problems.addAll(SchemaValidator.validate(document, CrdSchema.openApiV3()));
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    DistillationRun run;
    try {
      run = YAML.treeToValue(document, DistillationRun.class);
    } catch (JsonProcessingException e) {
      throw new ManifestException(List.of("manifest: " + e.getOriginalMessage()));
    }
    problems.addAll(SpecRules.check(run.getSpec()));
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    return new RunManifest(run, baseDir);
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }
}
