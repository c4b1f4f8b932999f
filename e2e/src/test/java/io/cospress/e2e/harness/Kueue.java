package io.cospress.e2e.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Kueue itself (sigs.k8s.io/kueue, built from source by {@code hack/kueue.sh}) installed into the
 * cluster from its own manifests: CRDs, RBAC, the controller Deployment and its admission webhooks,
 * whose certificates Kueue's internal certificate management creates. Removed again afterwards,
 * webhooks first, so the rest of the suite creates Jobs and pods without it.
 */
public final class Kueue {

  private static final String NAMESPACE = "kueue-system";
  private static final String DEPLOYMENT = "kueue-controller-manager";

  private Kueue() {}

  /** Loads the image, applies the manifests and waits until the webhooks admit objects. */
  public static void install() {
    Path dir = E2eConfig.kueueDir();
    Command.clusterScript(Duration.ofMinutes(3), "load-images", dir.toString()).requireSuccess();
    // The CRDs are too large for the last-applied annotation of a client-side apply.
    Kubectl.run(
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            dir.resolve("kueue.yaml").toString())
        .requireSuccess();
    Kubectl.run("rollout", "status", "deployment/" + DEPLOYMENT, "-n", NAMESPACE, "--timeout=240s")
        .requireSuccess();
    // Ready means the manager runs; its webhooks answer once the certificate it generated is
    // mounted and their CA is injected. A dry-run create goes through the validating webhook.
    String probe =
        """
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ResourceFlavor
        metadata: {name: e2e-webhook-probe}
        """;
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    Command.Result last;
    do {
      last = Kubectl.runWithInput(probe, "create", "--dry-run=server", "-f", "-");
      if (last.exitCode() == 0) {
        return;
      }
      RunWatch.sleep(Duration.ofSeconds(2));
    } while (Instant.now().isBefore(deadline));
    throw new AssertionError("Kueue's webhooks did not answer within 4 minutes:\n" + last.stderr());
  }

  /** Removes Kueue: its webhook configurations first, then everything else it installed. */
  public static void uninstall() {
    Kubectl.run(
        "delete",
        "mutatingwebhookconfiguration,validatingwebhookconfiguration",
        "-l",
        "app.kubernetes.io/name=kueue",
        "--ignore-not-found");
    Kubectl.run(
        "delete",
        "-f",
        E2eConfig.kueueDir().resolve("kueue.yaml").toString(),
        "--ignore-not-found",
        "--wait=true",
        "--timeout=3m");
  }

  /** {@code kubectl get KIND NAME -o jsonpath=PATH} for Kueue's objects. */
  public static String jsonPath(String kind, String namespace, String name, String path) {
    return Kubectl.run("get", kind, name, "-n", namespace, "-o", "jsonpath=" + path)
        .requireSuccess()
        .stdout();
  }
}
