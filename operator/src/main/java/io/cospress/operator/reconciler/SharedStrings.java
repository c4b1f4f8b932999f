package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives the strings that recur across cached objects one instance each. Every object comes off the
 * watch with its own copies: a run's five dependents each name it in a label and an owner
 * reference, every object of a fleet repeats the same label keys, API versions and namespace, and
 * every run the same condition types and reasons. At 5,000 runs those copies are tens of MiB.
 *
 * <p>{@link String#intern} is the JVM's string table, whose entries are collected once no object
 * uses them, so the unique strings among these (a run's name, its uid) go with their runs.
 */
final class SharedStrings {

  private SharedStrings() {}

  static void inMetadata(HasMetadata object) {
    if (object.getApiVersion() != null) {
      object.setApiVersion(object.getApiVersion().intern());
    }
    ObjectMeta metadata = object.getMetadata();
    if (metadata == null) {
      return;
    }
    metadata.setNamespace(shared(metadata.getNamespace()));
    metadata.setLabels(sharedEntries(metadata.getLabels(), true));
    metadata.setAnnotations(sharedEntries(metadata.getAnnotations(), false));
    if (metadata.getFinalizers() != null) {
      metadata.getFinalizers().replaceAll(SharedStrings::shared);
    }
    if (metadata.getOwnerReferences() != null) {
      for (OwnerReference owner : metadata.getOwnerReferences()) {
        owner.setApiVersion(shared(owner.getApiVersion()));
        owner.setKind(shared(owner.getKind()));
        owner.setName(shared(owner.getName()));
        owner.setUid(shared(owner.getUid()));
      }
    }
  }

  /** Type, status and reason repeat across runs; so do most messages, which name no run. */
  static void inConditions(List<Condition> conditions) {
    if (conditions == null) {
      return;
    }
    for (Condition condition : conditions) {
      condition.setType(shared(condition.getType()));
      condition.setStatus(shared(condition.getStatus()));
      condition.setReason(shared(condition.getReason()));
      condition.setMessage(shared(condition.getMessage()));
    }
  }

  /** Keys always; values too for labels, whose values are short and shared by a run's objects. */
  private static Map<String, String> sharedEntries(Map<String, String> map, boolean values) {
    if (map == null) {
      return null;
    }
    Map<String, String> shared = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
    map.forEach((key, value) -> shared.put(shared(key), values ? shared(value) : value));
    return shared;
  }

  private static String shared(String value) {
    return value == null ? null : value.intern();
  }
}
