package io.cospress.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Defaults the trainer applies beyond the CRD's own, so that the effective recipe (printed by
 * {@code validate}, recorded in every checkpoint) says exactly what the models see:
 *
 * <ul>
 *   <li>{@code dataset.augmentation} absent means its documented defaults (augmentation on), not
 *       "no augmentation";
 *   <li>{@code dataset.mean} and {@code std} absent mean ImageNet's statistics for three channels
 *       and 0.5 / 0.5 (pixels scaled to [-1, 1]) for one.
 * </ul>
 */
public final class TrainerDefaults {

  /** ImageNet's per-channel statistics, which most RGB vision backbones are trained with. */
  public static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);

  public static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

  /** One channel: map [0, 1] to [-1, 1]. */
  public static final List<Double> GRAY_MEAN = List.of(0.5);

  public static final List<Double> GRAY_STD = List.of(0.5);

  private TrainerDefaults() {}

  public static List<Double> mean(int channels) {
    return channels == 3 ? IMAGENET_MEAN : GRAY_MEAN;
  }

  public static List<Double> std(int channels) {
    return channels == 3 ? IMAGENET_STD : GRAY_STD;
  }

  /** Applies the defaults to a schema-valid, schema-defaulted {@code spec}. */
  static void apply(JsonNode spec, JsonNode specSchema) {
    if (!(spec.path("dataset") instanceof ObjectNode dataset)) {
      return;
    }
    if (!dataset.has("augmentation")) {
      ObjectNode augmentation = dataset.putObject("augmentation");
      SchemaDefaults.apply(
          augmentation,
          specSchema.path("properties").path("dataset").path("properties").path("augmentation"));
    }
    int channels = dataset.path("channels").asInt(3);
    if (channels == 1 || channels == 3) {
      if (!dataset.has("mean")) {
        dataset.set("mean", numbers(mean(channels)));
      }
      if (!dataset.has("std")) {
        dataset.set("std", numbers(std(channels)));
      }
    }
  }

  private static ArrayNode numbers(List<Double> values) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    values.forEach(array::add);
    return array;
  }
}
