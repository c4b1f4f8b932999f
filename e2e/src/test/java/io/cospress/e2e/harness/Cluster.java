package io.cospress.e2e.harness;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The running cluster, as the admin sees it: one Fabric8 client for reading what the operator, the
 * trainers and the controllers did. Runs themselves are applied with kubectl ({@link Kubectl}), as
 * a user would.
 */
public final class Cluster {

  /** The operator's release namespace and name, as {@code hack/cluster.sh install-operator}. */
  public static final String OPERATOR_NAMESPACE = "cospress-system";

  public static final String OPERATOR_DEPLOYMENT = "cospress-cospress-operator";

  /** The real node; trainers that do not ask for a GPU run here. */
  public static final String REAL_NODE = "cospress-node";

  private static KubernetesClient client;

  private Cluster() {}

  public static synchronized KubernetesClient client() {
    if (client == null) {
      try {
        Config config = Config.fromKubeconfig(null, Files.readString(E2eConfig.kubeconfig()), null);
        // hack/cluster.sh's client certificates have ECDSA keys in PKCS#8; Fabric8 assumes RSA
        // unless told the key's algorithm, which the certificate's public key gives.
        config.setClientKeyAlgo(clientKeyAlgorithm(config));
        // A restarted API server must not fail a read that a retry would answer.
        config.setRequestRetryBackoffLimit(10);
        config.setRequestRetryBackoffInterval(500);
        client = new KubernetesClientBuilder().withConfig(config).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return client;
  }

  private static String clientKeyAlgorithm(Config config) throws IOException {
    byte[] pem =
        config.getClientCertData() != null
            ? java.util.Base64.getDecoder().decode(config.getClientCertData())
            : Files.readAllBytes(java.nio.file.Path.of(config.getClientCertFile()));
    try {
      return java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(pem))
          .getPublicKey()
          .getAlgorithm();
    } catch (java.security.cert.CertificateException e) {
      throw new IOException("cannot read the kubeconfig's client certificate", e);
    }
  }

  public static MixedOperation<
          DistillationRun, KubernetesResourceList<DistillationRun>, Resource<DistillationRun>>
      runs() {
    return client().resources(DistillationRun.class);
  }

  public static DistillationRun run(String namespace, String name) {
    return runs().inNamespace(namespace).withName(name).get();
  }

  /** Creates a namespace for one scenario; an earlier one of the same name must be gone first. */
  public static String createNamespace(String name) {
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  public static void deleteNamespace(String name) {
    client().namespaces().withName(name).delete();
  }

  /** A JSON merge patch of a run's spec, as {@code kubectl patch --type merge} would send. */
  public static void patchRun(String namespace, String name, String mergePatch) {
    runs()
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }
}
