package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that drops {@code metadata.managedFields} before keeping an object. Server-side
 * apply's bookkeeping is a nested map of every field each writer set; deserialized, it was about
 * half of what the operator's caches held per run (a run is written by its creator, the operator
 * and the trainer, a Job has all its fields listed). Nothing here reads it for runs, Jobs and pods;
 * the dependents' stores keep it, since JOSDK's server-side-apply matcher compares against it.
 */
public final class ManagedFieldsPruningStore<T extends HasMetadata> extends BasicItemStore<T> {

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
