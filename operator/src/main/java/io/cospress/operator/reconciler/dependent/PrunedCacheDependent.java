package io.cospress.operator.reconciler.dependent;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.reconciler.CachedObjects;
import io.cospress.operator.reconciler.PruningStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * A dependent whose informer keeps its objects without {@code metadata.managedFields} (see {@link
 * CachedObjects#dependent}). With four dependents per run, server-side apply's bookkeeping was the
 * largest part of the operator's heap at fleet scale.
 *
 * <p>JOSDK's server-side-apply matcher reads managedFields, so a subclass that is applied with SSA
 * must decide {@code match} from the fields it sets instead ({@link OwnedFields}).
 */
abstract class PrunedCacheDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, DistillationRun> {

  PrunedCacheDependent(Class<R> type) {
    super(type);
  }

  /**
   * The store is set here rather than in the annotation because it depends on the namespaces the
   * controller watches, known only now: one informer may have a store of its own, several must not
   * share one ({@link PruningStore#forNamespaces}).
   */
  @Override
  protected InformerEventSource<R, DistillationRun> createEventSource(
      EventSourceContext<DistillationRun> context) {
    configuration().ifPresent(config -> configureWith(withPruningStore(config, context)));
    return super.createEventSource(context);
  }

  /** {@code config} with a pruning store, unless several namespaces are watched. */
  private static <R extends HasMetadata> KubernetesDependentResourceConfig<R> withPruningStore(
      KubernetesDependentResourceConfig<R> config, EventSourceContext<DistillationRun> context) {
    InformerConfiguration<R> informer = config.informerConfig();
    Set<String> namespaces = informer.getNamespaces();
    if (InformerConfiguration.inheritsNamespacesFromController(namespaces)) {
      namespaces = context.getControllerConfiguration().getInformerConfig().getNamespaces();
    }
    return PruningStore.<R>forNamespaces(namespaces, CachedObjects::dependent)
        .map(
            store ->
                new KubernetesDependentResourceConfig<>(
                    config.useSSA(),
                    config.createResourceOnlyIfNotExistingWithSSA(),
                    InformerConfiguration.builder(informer).withItemStore(store).build(),
                    config.matcher()))
        .orElse(config);
  }
}
