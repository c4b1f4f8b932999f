package io.cospress.trainer.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint is trained with: every effective field (defaults filled in) of {@code
 * spec.teacher}, {@code spec.student}, {@code spec.training} and of {@code spec.dataset} except the
 * evaluation-only splits (and {@code spec.training.precision}), flattened to {@code
 * "spec.training.optimizer.learningRate" -> "0.002"}. Evaluation, checkpointing and cluster
 * settings may change between a checkpoint and its resume; these may not ({@code
 * RunRecipe.differences}). Flattened from the typed spec, so a number reads the same however the
 * manifest wrote it ({@code 1} and {@code 1.0} are both {@code "1.0"} for a number field), as in
 * the checkpoints written so far.
 */
final class SpecRecipe {

  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /** Dataset fields that only feed evaluation. */
  private static final List<String> EVALUATION_SPLITS = List.of("validation", "ood");

  private SpecRecipe() {}

  static Map<String, String> of(DistillationRunSpec spec) {
    Map<String, String> recipe = new TreeMap<>();
    flatten("spec.teacher", JSON.valueToTree(spec.getTeacher()), recipe);
    flatten("spec.student", JSON.valueToTree(spec.getStudent()), recipe);
    ObjectNode dataset = JSON.valueToTree(spec.getDataset());
    EVALUATION_SPLITS.forEach(dataset::remove);
    flatten("spec.dataset", dataset, recipe);
    ObjectNode training = JSON.valueToTree(spec.getTraining());
    // How the step computes is not what it computes: checkpoints hold float32 weights in every
    // precision, and runs checkpointed before the field existed resume unchanged.
    training.remove("precision");
    flatten("spec.training", training, recipe);
    return recipe;
  }

  private static void flatten(String path, JsonNode node, Map<String, String> into) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(path + "." + field.getKey(), field.getValue(), into);
      }
    } else if (node.isArray() && node.size() > 0 && node.get(0).isContainerNode()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), into);
      }
    } else {
      into.put(path, node.isTextual() ? node.asText() : node.toString());
    }
  }
}
