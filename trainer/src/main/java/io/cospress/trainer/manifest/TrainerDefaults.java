package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The one default the CRD schema cannot declare, because it depends on another field: without
 * {@code dataset.mean} and {@code dataset.std} the models get ImageNet's statistics for three
 * channels and 0.5 / 0.5 (pixels mapped to [-1, 1]) for one. Applied after the schema's own
 * defaults and rules, so the effective recipe (printed by {@code validate}, recorded in every
 * checkpoint) says exactly what the models see. The README's manifest reference documents it.
 */
final class TrainerDefaults {

  /** ImageNet's per-channel statistics, which most RGB vision backbones are trained with. */
  static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);

  static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

  /** One channel: map [0, 1] to [-1, 1]. */
  static final List<Double> GRAY_MEAN = List.of(0.5);

  static final List<Double> GRAY_STD = List.of(0.5);

  private TrainerDefaults() {}

  /** Applies the defaults to a schema-defaulted {@code spec} that passed the schema's rules. */
  static void apply(JsonNode spec) {
    if (!(spec.path("dataset") instanceof ObjectNode dataset)) {
      return;
    }
    boolean rgb = dataset.path("channels").asInt() == 3;
    if (!dataset.has("mean")) {
      dataset.set("mean", numbers(rgb ? IMAGENET_MEAN : GRAY_MEAN));
    }
    if (!dataset.has("std")) {
      dataset.set("std", numbers(rgb ? IMAGENET_STD : GRAY_STD));
    }
  }

  private static ArrayNode numbers(List<Double> values) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    values.forEach(array::add);
    return array;
  }
}
