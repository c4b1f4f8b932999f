package io.cospress.operator.it;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real etcd + kube-apiserver (Fabric8 kube-api-test, offline, RBAC on) per test JVM, with the
 * project's CRD installed. The binaries come from {@code hack/k8s-binaries.sh}; no controllers run,
 * so tests play the Job controller, scheduler and kubelet themselves where they need them.
 */
public final class ApiServer {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static ApiServer instance;

  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final KubernetesClient admin;

  private ApiServer() throws IOException {
    String dir = System.getProperty("cospress.kubeApiTestDir");
    if (dir == null || !Files.isDirectory(Path.of(dir, "k8s"))) {
      throw new IllegalStateException(
          "no Kubernetes binaries in " + dir + "; run hack/k8s-binaries.sh (hack/test.sh does)");
    }
    server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(dir)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .build());
    server.start();
    String yaml = server.getKubeConfigYaml();
    kubeconfig = Files.createTempFile("cospress-it-kubeconfig", ".yaml");
    kubeconfig.toFile().deleteOnExit();
    Files.writeString(kubeconfig, yaml);
    admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
    installCrd();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "kube-api-test-stop"));
  }

  /** The shared server, started on first use. */
  public static synchronized ApiServer get() {
    if (instance == null) {
      try {
        instance = new ApiServer();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  public KubernetesClient admin() {
    return admin;
  }

  public String kubeconfigYaml() {
    return server.getKubeConfigYaml();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A fresh namespace, so tests never see each other's objects. */
  public String newNamespace(String prefix) {
    String name =
        (prefix + "-" + NAMESPACES.incrementAndGet()).toLowerCase(Locale.ROOT).replace('_', '-');
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * A kubeconfig that authenticates as {@code serviceAccount} of {@code namespace} with a bound
   * token, so a test acts with exactly that account's RBAC.
   */
  public String tokenKubeconfig(String namespace, String serviceAccount) {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    if (token == null || token.isBlank()) {
      throw new IllegalStateException("no token for " + namespace + "/" + serviceAccount);
    }
    Config adminConfig = Config.fromKubeconfig(kubeconfigYaml());
    String ca;
    if (adminConfig.getCaCertData() != null && !adminConfig.getCaCertData().isBlank()) {
      ca = "certificate-authority-data: " + adminConfig.getCaCertData();
    } else if (adminConfig.getCaCertFile() != null) {
      ca = "certificate-authority: " + Path.of(adminConfig.getCaCertFile()).toAbsolutePath();
    } else {
      throw new IllegalStateException("the admin kubeconfig names no certificate authority");
    }
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: it
          cluster:
            server: %s
            %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: it
          context:
            cluster: it
            user: %s
            namespace: %s
        current-context: it
        """
        .formatted(
            adminConfig.getMasterUrl().replaceAll("/+$", ""),
            ca,
            serviceAccount,
            token,
            serviceAccount,
            namespace);
  }

  /** kubectl from the same build as the API server. */
  public Path kubectl() {
    try (var versions = Files.list(Path.of(System.getProperty("cospress.kubeApiTestDir"), "k8s"))) {
      return versions
          .sorted(java.util.Comparator.reverseOrder())
          .findFirst()
          .orElseThrow()
          .resolve("kubectl");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void installCrd() throws IOException {
    Path file =
        Path.of(
            System.getProperty("cospress.crds", "../crds"), CosPressConstants.CRD_NAME + "-v1.yml");
    try (InputStream in = Files.newInputStream(file)) {
      CustomResourceDefinition crd =
          admin.apiextensions().v1().customResourceDefinitions().load(in).item();
      admin.resource(crd).serverSideApply();
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(CosPressConstants.CRD_NAME)
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                "Established".equals(cond.getType())
                                    && "True".equals(cond.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  private void stop() {
    admin.close();
    server.stop();
  }
}
