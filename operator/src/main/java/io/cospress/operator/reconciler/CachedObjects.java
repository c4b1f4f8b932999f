package io.cospress.operator.reconciler;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * What the operator's caches keep of runs, Jobs and pods: what the reconciliation, JOSDK and the
 * metrics read, and nothing else. At fleet scale the caches are most of the operator's heap; a Job
 * as the API server returns it is mostly its pod template, a pod mostly its spec, and every object
 * carries server-side apply's bookkeeping ({@code metadata.managedFields}), a nested map of every
 * field each writer set.
 *
 * <p>Cached objects are read, never written back (Jobs are created from the run, not edited, and
 * the run's status is applied from a fresh object), so a field dropped here is only a field nobody
 * can read. Whoever starts reading one of them must keep it here; the tests of this class list what
 * is kept.
 *
 * <p>The dependents' objects (the manifest ConfigMap and the trainer's RBAC) lose only their
 * managedFields; their dependents compare the fields they set with the desired state instead of
 * asking JOSDK's server-side-apply matcher, which reads managedFields.
 */
public final class CachedObjects {

  /** Client-side {@code kubectl apply}'s copy of the whole manifest; nothing here reads it. */
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private CachedObjects() {}

  /**
   * A run keeps its spec (the planner and the trainer's manifest read all of it), its status and
   * its metadata, less managedFields and {@code kubectl apply}'s copy of the spec.
   */
  public static void run(DistillationRun run) {
    ObjectMeta metadata = trimmedMetadata(run);
    if (metadata != null && metadata.getAnnotations() != null) {
      metadata.getAnnotations().remove(LAST_APPLIED);
    }
    if (run.getStatus() != null) {
      SharedStrings.inConditions(run.getStatus().getConditions());
    }
  }

  /**
   * A Job keeps its metadata (name, labels, owner reference, deletion), {@code spec.suspend} and
   * its status (conditions, active pods, start time); its pod template, written once by the
   * operator from the run, is dropped.
   */
  public static void job(Job job) {
    trimmedMetadata(job);
    if (job.getSpec() != null) {
      job.getSpec().setTemplate(null);
    }
  }

  /**
   * A pod keeps its metadata (the job-name label, the annotations that map it to its run, creation
   * and deletion times), its status (phase, conditions, container states) and, of its spec, only
   * the node it was bound to.
   */
  public static void pod(Pod pod) {
    trimmedMetadata(pod);
    if (pod.getSpec() != null) {
      PodSpec kept = new PodSpec();
      kept.setNodeName(pod.getSpec().getNodeName());
      pod.setSpec(kept);
    }
  }

  /**
   * A dependent (the manifest ConfigMap, the trainer's ServiceAccount, Role and RoleBinding) keeps
   * everything but managedFields: four objects per run, each with a few kilobytes of it.
   */
  public static void dependent(HasMetadata object) {
    trimmedMetadata(object);
  }

  /** What every cached object loses (managedFields) and shares (its recurring strings). */
  private static ObjectMeta trimmedMetadata(HasMetadata object) {
    ObjectMeta metadata = object.getMetadata();
    if (metadata != null) {
      metadata.setManagedFields(null);
    }
    SharedStrings.inMetadata(object);
    return metadata;
  }
}
