package io.cospress.operator.job;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.Precision;
import io.cospress.api.v1alpha1.ResourcesSpec;
import io.cospress.api.v1alpha1.TrainingSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.ArrayList;
import java.util.List;

/** The {@value #NAME} container of a trainer pod. */
final class TrainerContainerFactory {

  static final String NAME = "trainer";
  static final String METRICS_PORT_NAME = "metrics";

  private TrainerContainerFactory() {}

  static Container build(DistillationRun run, int attempt, TrainerDefaults defaults) {
    ResourcesSpec resources = TrainerResources.of(run.getSpec(), defaults);
    int gpus = TrainerResources.gpus(resources);
    return new ContainerBuilder()
        .withName(NAME)
        .withImage(image(run, gpus, defaults))
        .withImagePullPolicy(defaults.imagePullPolicy())
        .withArgs(args(gpus))
        .withEnv(env(run, attempt, resources, gpus))
        .withResources(TrainerResources.requirements(resources))
        .addNewPort()
        .withName(METRICS_PORT_NAME)
        .withContainerPort(CosPressConstants.TRAINER_METRICS_PORT)
        .withProtocol("TCP")
        .endPort()
        .withVolumeMounts(TrainerVolumes.mounts())
        .withSecurityContext(hardened())
        .build();
  }

  private static String image(DistillationRun run, int gpus, TrainerDefaults defaults) {
    String image = run.getSpec().getImage();
    return image == null || image.isBlank() ? defaults.imageFor(gpus) : image;
  }

  private static List<String> args(int gpus) {
    List<String> args = new ArrayList<>();
    args.add("run");
    args.add("-f");
    args.add(TrainerPaths.MANIFEST_FILE);
    args.add("--output");
    args.add(TrainerPaths.OUTPUT_DIR);
    // Teacher, student and data paths in the manifest are relative to the volume root.
    args.add("--base-dir");
    args.add(TrainerPaths.OUTPUT_DIR);
    args.add("--metrics-port");
    args.add(Integer.toString(CosPressConstants.TRAINER_METRICS_PORT));
    if (gpus > 0) {
      args.add("--device");
      args.add("gpu");
    }
    return args;
  }

  private static List<EnvVar> env(
      DistillationRun run, int attempt, ResourcesSpec resources, int gpus) {
    List<EnvVar> env = new ArrayList<>(common(run, attempt, resources));
    if (gpus > 0) {
      // DJL offers no setter for libtorch's allow_tf32 on matrix products; libtorch reads this
      // once, when its context starts, so it must be in the process's environment. Set either
      // way: the CUDA image's own environment turns it on.
      env.add(env(TF32_ENVIRONMENT, tf32(run) ? "1" : "0"));
    }
    return env;
  }

  /** libtorch's switch for TF32 cuBLAS products ({@code spec.training.precision: tf32}). */
  static final String TF32_ENVIRONMENT = "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE";

  private static boolean tf32(DistillationRun run) {
    TrainingSpec training = run.getSpec().getTraining();
    // The schema defaults precision to tf32; a run read without defaults means the same.
    return training == null
        || training.getPrecision() == null
        || training.getPrecision() == Precision.TF32;
  }

  private static List<EnvVar> common(DistillationRun run, int attempt, ResourcesSpec resources) {
    return List.of(
        env(CosPressConstants.ENV_RUN_NAME, run.getMetadata().getName()),
        env(CosPressConstants.ENV_RUN_NAMESPACE, run.getMetadata().getNamespace()),
        env(CosPressConstants.ENV_RUN_UID, run.getMetadata().getUid()),
        env(CosPressConstants.ENV_ATTEMPT, Integer.toString(attempt)),
        env(CosPressConstants.ENV_CONFINE_PATHS, "true"),
        env("JAVA_TOOL_OPTIONS", TrainerJvmOptions.forCpu(TrainerResources.cpu(resources))),
        // OpenMP workers otherwise spin between parallel regions, burning the CPU quota that the
        // data-loading threads need and getting the pod throttled.
        env("OMP_WAIT_POLICY", "PASSIVE"),
        // DJL extracts libtorch on first use; its default cache under the home directory sits on
        // the read-only root filesystem. ENGINE_CACHE_DIR is where the engine's native files go.
        env("DJL_CACHE_DIR", TrainerPaths.DJL_CACHE_DIR),
        env("ENGINE_CACHE_DIR", TrainerPaths.DJL_CACHE_DIR));
  }

  private static EnvVar env(String name, String value) {
    return new EnvVar(name, value, null);
  }

  static SecurityContext hardened() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }
}
