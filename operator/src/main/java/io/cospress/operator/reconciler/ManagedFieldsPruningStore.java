package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Optional;
import java.util.Set;

/**
 * An informer store that drops {@code metadata.managedFields} before keeping an object. Server-side
 * apply's bookkeeping is a nested map of every field each writer set; deserialized, it was about
 * half of what the operator's caches held per run (a run is written by its creator, the operator
 * and the trainer, a Job has all its fields listed). Nothing here reads it for runs, Jobs and pods;
 * the dependents' stores keep it, since JOSDK's server-side-apply matcher compares against it.
 */
public final class ManagedFieldsPruningStore<T extends HasMetadata> extends BasicItemStore<T> {

  /**
   * A store for an informer configuration that watches these namespaces, or none. JOSDK hands one
   * configured store to the informer of every namespace, and an informer lists, and on a relist
   * prunes, everything in its store: shared, each namespace's informer would list the runs of all
   * of them (the metrics saw each run twice) and a relist in one would drop the others. With one
   * informer (all namespaces, or a single one) the store is its own.
   */
  public static <T extends HasMetadata> Optional<ManagedFieldsPruningStore<T>> forNamespaces(
      Set<String> namespaces) {
    return namespaces.size() <= 1
        ? Optional.of(new ManagedFieldsPruningStore<>())
        : Optional.empty();
  }

  public ManagedFieldsPruningStore() {
    // The informer's own key, which JOSDK's cache lookups use.
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T obj) {
    if (obj.getMetadata() != null) {
      obj.getMetadata().setManagedFields(null);
    }
    return super.put(key, obj);
  }
}
