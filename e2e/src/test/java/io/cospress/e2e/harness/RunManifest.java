package io.cospress.e2e.harness;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DistillationRun manifest as a user writes it: the quickstart's teacher, student and data (on
 * the scenario's {@link Workspace}), cut down so an attempt trains for seconds rather than minutes:
 * 640 training images (10 steps of 64 per epoch), 200 validation and 100 out-of-distribution
 * images, a 640-image kNN bank. Scenarios change what they need and apply it with kubectl.
 */
public final class RunManifest {

  /** Optimisation steps per epoch of the cut-down data: 640 images in batches of 64. */
  public static final int STEPS_PER_EPOCH = 10;

  private final String name;
  private final String namespace;
  private final Map<String, Object> spec;

  private RunManifest(String name, String namespace, Map<String, Object> spec) {
    this.name = name;
    this.namespace = namespace;
    this.spec = spec;
  }

  /** A CPU run of {@code epochs} epochs on the claim {@link Workspace#CLAIM}. */
  public static RunManifest quick(String namespace, String name, int epochs) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "teacher", map("model", Workspace.MODELS + "/teacher-vit-fmnist.pt", "output", "tokens"));
    spec.put(
        "student", map("model", Workspace.MODELS + "/student-vit-tiny.pt", "output", "tokens"));
    spec.put(
        "dataset",
        map(
            "format", "idx",
            "imageSize", 28,
            "channels", 1,
            "mean", List.of(0.2860),
            "std", List.of(0.3530),
            "train", split("train", 640),
            "validation", split("val", 200),
            "ood", split("ood", 100),
            "augmentation", map("cropScaleMin", 0.7, "horizontalFlip", true, "colorJitter", 0.1)));
    spec.put(
        "training",
        map(
            "epochs",
            epochs,
            "batchSize",
            64,
            "optimizer",
            map("learningRate", 0.002, "warmupEpochs", 1),
            "seed",
            7));
    spec.put(
        "evaluation",
        map(
            "intervalEpochs", 1,
            "knnK", 20,
            "knnTemperature", 0.07,
            "bankSize", 640,
            "similaritySampleSize", 64));
    spec.put(
        "checkpoint",
        map("claimName", Workspace.CLAIM, "path", "runs/" + name, "intervalEpochs", 1, "keep", 2));
    spec.put("resources", map("cpu", "1", "memory", "2Gi"));
    return new RunManifest(name, namespace, spec);
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  /** {@code spec.checkpoint.path}: where the run's checkpoints land on the volume. */
  public String checkpointPath() {
    Object path = section("checkpoint").get("path");
    return path == null ? "checkpoints" : path.toString();
  }

  /** Sets {@code spec.<section>.<key>} (sections are created when missing). */
  public RunManifest set(String section, String key, Object value) {
    section(section).put(key, value);
    return this;
  }

  /** Sets a top-level {@code spec.<key>} ({@code maxRestarts}, {@code suspend}, ...). */
  public RunManifest set(String key, Object value) {
    spec.put(key, value);
    return this;
  }

  /** Leaves {@code spec.<section>.<key>} out. */
  public RunManifest remove(String section, String key) {
    section(section).remove(key);
    return this;
  }

  /** No checkpoint claim: the trainer writes to an emptyDir (runs on the fake GPU nodes). */
  public RunManifest withoutClaim() {
    section("checkpoint").remove("claimName");
    return this;
  }

  public String toYaml() {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("apiVersion", CosPressConstants.API_VERSION);
    run.put("kind", CosPressConstants.KIND);
    run.put("metadata", map("name", name, "namespace", namespace));
    run.put("spec", spec);
    return Serialization.asYaml(run);
  }

  /** {@code kubectl apply -f -} of this manifest. */
  public RunManifest apply() {
    Kubectl.apply(toYaml());
    return this;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> section(String key) {
    return (Map<String, Object>) spec.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  private static Map<String, Object> split(String prefix, int limit) {
    return map(
        "path", Workspace.DATA + "/" + prefix + "-images-idx3-ubyte.gz",
        "labels", Workspace.DATA + "/" + prefix + "-labels-idx1-ubyte.gz",
        "limit", limit);
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
