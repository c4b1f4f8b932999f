package io.cospress.trainer.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares the recipe a checkpoint was trained with ({@link CheckpointState#recipe()}, written from
 * {@code TrainerConfig.recipe()}) with the manifest's. A resume with a different recipe would
 * silently mix two trainings, so it is refused, naming each field that differs.
 */
public final class RunRecipe {

  private RunRecipe() {}

  /** One line per differing field: {@code field (checkpoint X, manifest Y)}. */
  public static List<String> differences(Map<String, String> checkpoint, Map<String, String> now) {
    List<String> lines = new ArrayList<>();
    TreeSet<String> fields = new TreeSet<>(checkpoint.keySet());
    fields.addAll(now.keySet());
    for (String field : fields) {
      String was = checkpoint.get(field);
      String is = now.get(field);
      if (!Objects.equals(was, is)) {
        lines.add(field + " (checkpoint " + shown(was) + ", manifest " + shown(is) + ")");
      }
    }
    return lines;
  }

  private static String shown(String value) {
    return value == null ? "unset" : value;
  }
}
