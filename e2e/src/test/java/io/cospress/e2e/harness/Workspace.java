package io.cospress.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A scenario's volume: a directory on this machine holding the quickstart's teacher, student and
 * data, offered to the cluster as a static PersistentVolume and bound to the claim {@value #CLAIM}
 * in the scenario's namespace. The cluster has no storage provisioner; this is how an administrator
 * provides storage by hand. Because the directory is on this machine, the test reads what the
 * trainer wrote (under each run's checkpoint path: checkpoints, status.json, the final student)
 * directly.
 *
 * <p>The volume is of type {@code local}, pinned to the real node: unlike {@code hostPath}, the
 * kubelet applies the pod's fsGroup to it, as it would to a network or block volume, so the
 * non-root trainer can write to a directory that root created.
 */
public final class Workspace {

  public static final String CLAIM = "workspace";

  /** Where the quickstart files sit on the volume (the paths of {@link RunManifest}). */
  public static final String MODELS = "models";

  public static final String DATA = "data/fashion-mnist-sample";

  private final String namespace;
  private final String claim;
  private final Path dir;
  private final String volumeName;

  private Workspace(String namespace, String claim, Path dir, String volumeName) {
    this.namespace = namespace;
    this.claim = claim;
    this.dir = dir;
    this.volumeName = volumeName;
  }

  /** The claim {@value #CLAIM} in {@code namespace}, with the quickstart's models and data. */
  public static Workspace local(String namespace) {
    return local(namespace, CLAIM);
  }

  /** The claim {@code claim} in {@code namespace}, with the quickstart's models and data. */
  public static Workspace local(String namespace, String claim) {
    Path dir = volumeRoot().resolve(namespace + "-" + claim);
    String volumeName = "e2e-" + namespace + "-" + claim;
    try {
      // A directory left by an earlier run of the suite against the same cluster would make
      // this scenario's runs resume from that run's checkpoints.
      deleteRecursively(dir);
      Files.createDirectories(dir.resolve(MODELS));
      Files.createDirectories(dir.resolve(DATA));
      Path examples = E2eConfig.repo().resolve("examples");
      for (String model : List.of("teacher-vit-fmnist.pt", "student-vit-tiny.pt")) {
        copy(examples.resolve("models").resolve(model), dir.resolve(MODELS).resolve(model));
      }
      try (Stream<Path> files = Files.list(examples.resolve("data/fashion-mnist-sample"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".gz")).toList()) {
          copy(f, dir.resolve(DATA).resolve(f.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the volume directory " + dir, e);
    }
    String source =
        """
          local:
            path: %s
          nodeAffinity:
            required:
              nodeSelectorTerms:
              - matchExpressions:
                - {key: kubernetes.io/hostname, operator: In, values: [%s]}
        """
            .formatted(dir, Cluster.REAL_NODE);
    Kubectl.apply(
        """
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: %1$s
          labels: {cospress.local/e2e: "true"}
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          persistentVolumeReclaimPolicy: Retain
          storageClassName: e2e-static
          claimRef: {namespace: %2$s, name: %3$s}
        %4$s
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: %3$s
          namespace: %2$s
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: e2e-static
          volumeName: %1$s
          resources:
            requests: {storage: 1Gi}
        """
            .formatted(volumeName, namespace, claim, source.stripTrailing()));
    await("claim " + namespace + "/" + claim + " bound")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                "Bound"
                    .equals(
                        Cluster.client()
                            .persistentVolumeClaims()
                            .inNamespace(namespace)
                            .withName(claim)
                            .get()
                            .getStatus()
                            .getPhase()));
    return new Workspace(namespace, claim, dir, volumeName);
  }

  /** The claim's name, for {@code spec.checkpoint.claimName}. */
  public String claim() {
    return claim;
  }

  /** The volume's directory on this machine. */
  public Path dir() {
    return dir;
  }

  /** The checkpoints of the run whose {@code spec.checkpoint.path} is {@code path}. */
  public Checkpoints checkpoints(String path) {
    return new Checkpoints(dir.resolve(path));
  }

  /** Deletes the PersistentVolume (its claim goes with the namespace). */
  public void release() {
    Cluster.client().persistentVolumes().withName(volumeName).delete();
  }

  /**
   * Volumes live in the cluster's state directory, beside the kubeconfig's directory, so {@code
   * hack/cluster.sh down} removes them with everything else the cluster left.
   */
  private static Path volumeRoot() {
    Path state = E2eConfig.kubeconfig().toAbsolutePath().getParent().getParent();
    return state.resolve("e2e-volumes");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public String toString() {
    return "volume " + volumeName + " at " + dir + " (claim " + namespace + "/" + claim + ")";
  }
}
