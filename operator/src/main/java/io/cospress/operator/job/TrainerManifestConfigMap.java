package io.cospress.operator.job;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The ConfigMap that hands a run's manifest to its trainer pod as {@code run.yaml}.
 *
 * <p>The manifest is the run itself, reduced to what the trainer reads: apiVersion, kind, the spec,
 * and name/namespace/uid so it knows which run it reports on. Status, labels, annotations and
 * managed fields are left out: they are not the trainer's input, and leaving them out keeps the
 * ConfigMap unchanged while only the status moves.
 */
public final class TrainerManifestConfigMap {

  /**
   * Leaves out null fields, which the trainer's schema check would reject as "must not be null".
   */
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private TrainerManifestConfigMap() {}

  /** {@code <run-name>-manifest}, shortened with a hash if it would exceed a DNS subdomain. */
  public static String name(DistillationRun run) {
    return KubernetesNames.dnsSubdomain(run.getMetadata().getName(), "-manifest");
  }

  public static ConfigMap build(DistillationRun run) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name(run))
        .withNamespace(run.getMetadata().getNamespace())
        .withLabels(TrainerLabels.forRun(run))
        .withOwnerReferences(RunOwnerReference.controllerOf(run))
        .endMetadata()
        .addToData(TrainerPaths.MANIFEST_FILE_NAME, manifestYaml(run))
        .build();
  }

  /** The run as the trainer's {@code -f} manifest. */
  static String manifestYaml(DistillationRun run) {
    DistillationRun manifest = new DistillationRun();
    manifest.setMetadata(
        new ObjectMetaBuilder()
            .withName(run.getMetadata().getName())
            .withNamespace(run.getMetadata().getNamespace())
            .withUid(run.getMetadata().getUid())
            .build());
    manifest.setSpec(run.getSpec());
    // A new CustomResource starts with an empty status; the trainer must not see one.
    manifest.setStatus(null);
    return SERIALIZATION.asYaml(manifest);
  }
}
