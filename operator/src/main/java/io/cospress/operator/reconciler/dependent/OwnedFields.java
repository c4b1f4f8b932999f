package io.cospress.operator.reconciler.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;

/**
 * Whether an object still carries what the operator applied to it, judged from the fields
 * themselves instead of server-side apply's managedFields, which the dependents' caches drop. Like
 * the SSA matcher, fields that others added (labels, owners, defaults) are not a difference; a
 * value the operator set that was changed or removed is.
 */
final class OwnedFields {

  private OwnedFields() {}

  /** Every label the operator sets has its value, and the run still owns the object. */
  static boolean metadataMatches(HasMetadata actual, HasMetadata desired) {
    Map<String, String> actualLabels = orEmpty(actual.getMetadata().getLabels());
    boolean labels =
        orEmpty(desired.getMetadata().getLabels()).entrySet().stream()
            .allMatch(label -> label.getValue().equals(actualLabels.get(label.getKey())));
    List<OwnerReference> actualOwners = orEmpty(actual.getMetadata().getOwnerReferences());
    boolean owners =
        orEmpty(desired.getMetadata().getOwnerReferences()).stream()
            .allMatch(owner -> actualOwners.stream().anyMatch(o -> sameOwner(o, owner)));
    return labels && owners;
  }

  /** Lists the API server returns empty or leaves out compare equal to a list not set. */
  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** Equal lists, a list left out counting as empty. */
  static <T> boolean sameList(List<T> actual, List<T> desired) {
    return orEmpty(actual).equals(orEmpty(desired));
  }

  /** As many elements in both lists (left out counts as empty), pairwise the same. */
  static <T> boolean pairwise(List<T> actual, List<T> desired, BiPredicate<T, T> same) {
    List<T> a = orEmpty(actual);
    List<T> d = orEmpty(desired);
    return a.size() == d.size()
        && IntStream.range(0, d.size()).allMatch(i -> same.test(a.get(i), d.get(i)));
  }

  /** An unset string and an empty one (the API server's default for some) compare equal. */
  static boolean sameText(String a, String b) {
    return Objects.equals(a == null ? "" : a, b == null ? "" : b);
  }

  private static boolean sameOwner(OwnerReference actual, OwnerReference desired) {
    return Objects.equals(actual.getUid(), desired.getUid())
        && Objects.equals(actual.getKind(), desired.getKind())
        && Objects.equals(actual.getName(), desired.getName())
        && Objects.equals(actual.getController(), desired.getController())
        && Objects.equals(actual.getBlockOwnerDeletion(), desired.getBlockOwnerDeletion());
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }
}
