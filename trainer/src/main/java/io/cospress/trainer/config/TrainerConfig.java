package io.cospress.trainer.config;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the trainer reads from a DistillationRun manifest, validated and with every default
 * filled in, built once where the manifest is read ({@code io.cospress.trainer.manifest}). Nothing
 * past that boundary sees the CR model.
 *
 * @param recipe what a checkpoint records and a resume must match: every effective field of the
 *     teacher, student, training data and training settings, flattened to {@code
 *     "spec.training.seed" -> "3"} (see {@code RunRecipe})
 * @param effectiveManifest the manifest as YAML with every default filled in, itself a valid
 *     manifest: what {@code validate} prints
 */
public record TrainerConfig(
    String name,
    String namespace,
    TeacherConfig teacher,
    StudentConfig student,
    DatasetConfig dataset,
    TrainingConfig training,
    EvaluationConfig evaluation,
    CheckpointConfig checkpoint,
    Map<String, String> recipe,
    String effectiveManifest) {

  public TrainerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(student, "student");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(evaluation, "evaluation");
    Objects.requireNonNull(checkpoint, "checkpoint");
    recipe = Collections.unmodifiableMap(new TreeMap<>(recipe));
    Objects.requireNonNull(effectiveManifest, "effectiveManifest");
  }
}
