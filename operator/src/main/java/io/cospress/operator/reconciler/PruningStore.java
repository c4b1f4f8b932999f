package io.cospress.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An informer store that trims each object to what the operator reads (see {@link CachedObjects})
 * before keeping it. The informer hands the same object to its event handlers after storing it, so
 * JOSDK's caches and event sources only ever see the trimmed form.
 */
public final class PruningStore<T extends HasMetadata> extends BasicItemStore<T> {

  private final Consumer<? super T> prune;

  /**
   * A store for an informer configuration that watches these namespaces, or none. JOSDK hands one
   * configured store to the informer of every namespace, and an informer lists, and on a relist
   * prunes, everything in its store: shared, each namespace's informer would list the runs of all
   * of them (the metrics saw each run twice) and a relist in one would drop the others. With one
   * informer (all namespaces, or a single one) the store is its own; with several namespaces the
   * informers keep their default stores and the objects whole.
   */
  public static <T extends HasMetadata> Optional<PruningStore<T>> forNamespaces(
      Set<String> namespaces, Consumer<? super T> prune) {
    return namespaces.size() <= 1 ? Optional.of(new PruningStore<>(prune)) : Optional.empty();
  }

  public PruningStore(Consumer<? super T> prune) {
    // The informer's own key, which JOSDK's cache lookups use.
    super(Cache::metaNamespaceKeyFunc);
    this.prune = prune;
  }

  @Override
  public T put(String key, T obj) {
    prune.accept(obj);
    return super.put(key, obj);
  }
}
