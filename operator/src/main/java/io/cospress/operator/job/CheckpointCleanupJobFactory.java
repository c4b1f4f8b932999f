package io.cospress.operator.job;

import io.cospress.api.v1alpha1.CheckpointSpec;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RetentionPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The Job that removes a deleted run's checkpoints from its claim when the run asks for it ({@code
 * spec.checkpoint.retentionPolicy: Delete}). It runs the trainer image's shell with the same
 * hardened security context as the trainer and touches only the run's checkpoint directory, which
 * is everything the run wrote (checkpoints, status.json, the final student); the claim's root, its
 * models and data, and other runs' directories stay.
 */
public final class CheckpointCleanupJobFactory {

  private CheckpointCleanupJobFactory() {}

  public static String jobName(DistillationRun run) {
    return KubernetesNames.dnsLabel(run.getMetadata().getName(), "-cleanup");
  }

  /** Whether the run's checkpoints are to be removed with it. */
  public static boolean wanted(DistillationRun run) {
    CheckpointSpec checkpoint = run.getSpec().getCheckpoint();
    return checkpoint != null
        && checkpoint.getRetentionPolicy() == RetentionPolicy.DELETE
        && checkpoint.getClaimName() != null
        && !checkpoint.getClaimName().isBlank();
  }

  /**
   * The directory to remove, inside the claim's mount; empty when the path could reach outside the
   * run's own directory ({@code ..}, absolute, or the claim root itself), which is never deleted.
   */
  public static Optional<String> target(DistillationRun run) {
    String path = run.getSpec().getCheckpoint().getPath();
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    Path relative = Path.of(path).normalize();
    if (relative.isAbsolute()
        || relative.toString().isEmpty()
        || relative.toString().equals(".")
        || relative.startsWith("..")) {
      return Optional.empty();
    }
    return Optional.of(TrainerPaths.OUTPUT_DIR + "/" + relative);
  }

  public static Job build(DistillationRun run, String directory, TrainerDefaults defaults) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(jobName(run))
        .withNamespace(run.getMetadata().getNamespace())
        .withLabels(TrainerLabels.forRun(run))
        .withOwnerReferences(RunOwnerReference.controllerOf(run))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(2)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(TrainerLabels.forRun(run))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(TrainerJobFactory.podSecurityContext())
        .addNewContainer()
        .withName("cleanup")
        .withImage(defaults.cpuImage())
        .withImagePullPolicy(defaults.imagePullPolicy())
        .withCommand(List.of("rm", "-rf", "--", directory))
        .withSecurityContext(TrainerContainerFactory.hardened())
        .addNewVolumeMount()
        .withName("checkpoints")
        .withMountPath(TrainerPaths.OUTPUT_DIR)
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("checkpoints")
        .withNewPersistentVolumeClaim()
        .withClaimName(run.getSpec().getCheckpoint().getClaimName())
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
