package io.cospress.operator.job;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/**
 * The owner reference that ties an object to the run it was created for, so deleting the run
 * garbage-collects it and the operator's informers map it back to the run.
 */
public final class RunOwnerReference {

  private RunOwnerReference() {}

  /**
   * A controller reference to {@code run}. {@code blockOwnerDeletion} makes foreground deletion of
   * the run wait for the object, so a run is not reported gone while its pod still writes.
   */
  public static OwnerReference controllerOf(DistillationRun run) {
    return new OwnerReferenceBuilder()
        .withApiVersion(run.getApiVersion())
        .withKind(run.getKind())
        .withName(run.getMetadata().getName())
        .withUid(run.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
