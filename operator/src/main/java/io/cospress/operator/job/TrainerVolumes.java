package io.cospress.operator.job;

import io.cospress.api.v1alpha1.CheckpointSpec;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;

/**
 * Volumes of the trainer pod and where the container mounts them.
 *
 * <ul>
 *   <li>{@value #MANIFEST}: the run's manifest ConfigMap, read-only at {@link
 *       TrainerPaths#MANIFEST_DIR}.
 *   <li>{@value #CHECKPOINTS}: the run's {@code spec.checkpoint.claimName} at {@link
 *       TrainerPaths#OUTPUT_DIR}. The same claim is where the teacher, student and dataset live:
 *       their manifest paths are relative to the claim's root, and the trainer (told to confine
 *       paths) refuses any that escape it. Without a claim this is an emptyDir: checkpoints live
 *       and die with the pod, so a later attempt (retry, resume after suspend or preemption) starts
 *       from scratch, and the teacher and data have to come with the image.
 *   <li>{@value #TMP}: an emptyDir at {@link TrainerPaths#TMP_DIR}, the only other writable place,
 *       for Java temp files and DJL's native-library cache.
 * </ul>
 */
final class TrainerVolumes {

  static final String MANIFEST = "run-manifest";
  static final String CHECKPOINTS = "checkpoints";
  static final String TMP = "tmp";

  private TrainerVolumes() {}

  static List<Volume> volumes(DistillationRun run) {
    return List.of(manifestVolume(run), checkpointVolume(claimName(run)), emptyDir(TMP));
  }

  static List<VolumeMount> mounts() {
    return List.of(
        mount(MANIFEST, TrainerPaths.MANIFEST_DIR, true),
        mount(CHECKPOINTS, TrainerPaths.OUTPUT_DIR, false),
        mount(TMP, TrainerPaths.TMP_DIR, false));
  }

  private static Volume manifestVolume(DistillationRun run) {
    return new VolumeBuilder()
        .withName(MANIFEST)
        .withNewConfigMap()
        .withName(TrainerManifestConfigMap.name(run))
        .addNewItem()
        .withKey(TrainerPaths.MANIFEST_FILE_NAME)
        .withPath(TrainerPaths.MANIFEST_FILE_NAME)
        .endItem()
        .endConfigMap()
        .build();
  }

  private static Volume checkpointVolume(String claimName) {
    if (claimName == null) {
      return emptyDir(CHECKPOINTS);
    }
    return new VolumeBuilder()
        .withName(CHECKPOINTS)
        .withNewPersistentVolumeClaim()
        .withClaimName(claimName)
        .endPersistentVolumeClaim()
        .build();
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  private static String claimName(DistillationRun run) {
    CheckpointSpec checkpoint = run.getSpec().getCheckpoint();
    String claim = checkpoint == null ? null : checkpoint.getClaimName();
    return claim == null || claim.isBlank() ? null : claim;
  }
}
