package io.cospress.trainer.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cospress.api.schema.CrdSchema;
import io.cospress.api.schema.SchemaDefaults;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.TrainingSpec;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.config.TrainingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a DistillationRun manifest as the API server would (YAML to JSON, schema defaults,
 * structural schema, then the schema's CEL rules) and rejects it with every problem at once if it
 * is invalid; a valid one becomes the trainer's immutable {@link TrainerConfig}. This package is
 * where the CR model ends: nothing the trainer runs sees it.
 */
public final class ManifestLoader {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          // The schema check already reported unknown fields with their paths.
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ManifestLoader() {}

  /**
   * Loads a manifest file.
   *
   * @throws io.cospress.trainer.config.InvalidInputException if the file is missing, not a regular
   *     file or too large
   * @throws ManifestException if the manifest is invalid
   */
  public static RunManifest load(Path file) throws IOException {
    InputFiles.requireRegularFile("manifest", file);
    InputFiles.requireAtMost("manifest", file, YamlTree.MAX_CHARACTERS * 4L);
    Path base = file.toAbsolutePath().getParent();
    return parse(new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.UTF_8), base);
  }

  public static RunManifest parse(String yaml, Path baseDir) {
    JsonNode document = YamlTree.parse(yaml);
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
    problems.addAll(ObjectMetaRules.check(document.get("metadata")));
    JsonNode schema = CrdSchema.openApiV3();
    if (document.has("spec")) {
      SchemaDefaults.apply(document.get("spec"), CrdSchema.specSchema());
    }
    problems.addAll(SchemaValidator.validate(document, schema));
    if (!problems.isEmpty()) {
      // The API server evaluates CEL rules only on values of the right types, as here.
      throw new ManifestException(problems);
    }
    problems.addAll(CelRules.ofSpec().check(document.get("spec"), "spec"));
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    TrainerDefaults.apply(document.get("spec"));
    DistillationRun run;
    try {
      run = JSON.treeToValue(document, DistillationRun.class);
    } catch (JsonMappingException e) {
      throw new ManifestException(List.of(pathOf(e) + ": " + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ManifestException(List.of("manifest: " + e.getOriginalMessage()));
    }
    return new RunManifest(TrainerConfigReader.read(run), baseDir);
  }

  /**
   * The training recipe of a manifest that says nothing about training: the schema's defaults, for
   * tools that run the training step without a manifest (the step benchmark).
   */
  public static TrainingConfig defaultTraining() {
    ObjectNode training = JSON.createObjectNode();
    SchemaDefaults.apply(training, CrdSchema.specSchema().path("properties").path("training"));
    try {
      return TrainerConfigReader.training(JSON.treeToValue(training, TrainingSpec.class), 0);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "the CRD's training defaults do not read as a TrainingSpec", e);
    }
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "manifest" : path.toString();
  }
}
