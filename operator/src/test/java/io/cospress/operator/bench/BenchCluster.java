package io.cospress.operator.bench;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fresh etcd + kube-apiserver (kube-api-test, RBAC on) with an audit log of every request except
 * watches, and, when its binary is there, a kube-controller-manager running only the garbage
 * collector, so deleting a run removes its Job, ConfigMap and RBAC as in a real cluster.
 */
final class BenchCluster implements AutoCloseable {

  /** Metadata of every request but watches; the counts come from here, not from the operator. */
  private static final String AUDIT_POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: [RequestReceived]
      rules:
        - level: None
          verbs: [watch]
        - level: Metadata
      """;

  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final Path auditLog;
  private final Path binaries;
  private final KubernetesClient admin;
  private final Process garbageCollector;

  private BenchCluster(
      KubeAPIServer server,
      Path kubeconfig,
      Path auditLog,
      Path binaries,
      KubernetesClient admin,
      Process garbageCollector) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.auditLog = auditLog;
    this.binaries = binaries;
    this.admin = admin;
    this.garbageCollector = garbageCollector;
  }

  /**
   * @param kubeBinaries a kube-api-test directory (hack/k8s-binaries.sh): k8s/VERSION/...
   * @param work a fresh directory for certificates, the kubeconfig and the audit log
   */
  static BenchCluster start(Path kubeBinaries, Path work) throws IOException {
    Path version = newestVersion(kubeBinaries);
    // A private test dir of links to the shared binaries: kube-api-test writes its certificates
    // into the test dir, and other test JVMs on this machine use the shared one.
    Path testDir = work.resolve("kube");
    Path linked = testDir.resolve("k8s").resolve(version.getFileName());
    Files.createDirectories(linked);
    try (Stream<Path> files = Files.list(version)) {
      for (Path binary : files.toList()) {
        Files.createSymbolicLink(linked.resolve(binary.getFileName()), binary.toAbsolutePath());
      }
    }
    Path policy = Files.writeString(work.resolve("audit-policy.yaml"), AUDIT_POLICY);
    Path auditLog = work.resolve("audit.log");
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(testDir.toString())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .withApiServerFlag("--audit-policy-file", policy.toString())
                .withApiServerFlag("--audit-log-path", auditLog.toString())
                .withApiServerFlag("--audit-log-maxsize", "2000")
                .withApiServerFlag("--audit-log-mode", "blocking")
                .build());
    server.start();
    String yaml = server.getKubeConfigYaml();
    Path kubeconfig = Files.writeString(work.resolve("admin.kubeconfig"), yaml);
    Config config = Config.fromKubeconfig(yaml);
    // Deleting thousands of runs in one request takes longer than the default 10 s.
    config.setRequestTimeout((int) Duration.ofMinutes(5).toMillis());
    KubernetesClient admin = new KubernetesClientBuilder().withConfig(config).build();
    Path controllerManager = linked.resolve("kube-controller-manager");
    Process gc =
        Files.isExecutable(controllerManager)
            ? new ProcessBuilder(
                    controllerManager.toString(),
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "--controllers",
                    "garbagecollector",
                    "--leader-elect=false",
                    "--secure-port=0")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("kube-controller-manager.log").toFile())
                .start()
            : null;
    return new BenchCluster(server, kubeconfig, auditLog, linked, admin, gc);
  }

  private static Path newestVersion(Path kubeBinaries) throws IOException {
    try (Stream<Path> versions = Files.list(kubeBinaries.resolve("k8s"))) {
      return versions
          .filter(p -> Files.isExecutable(p.resolve("kube-apiserver")))
          .max(Path::compareTo)
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "no kube-apiserver under "
                          + kubeBinaries
                          + "/k8s; run hack/k8s-binaries.sh"));
    }
  }

  KubernetesClient admin() {
    return admin;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  Path auditLog() {
    return auditLog;
  }

  Path kubectl() {
    return binaries.resolve("kubectl");
  }

  boolean collectsGarbage() {
    return garbageCollector != null && garbageCollector.isAlive();
  }

  /** The etcd and kube-apiserver processes (children of this JVM), for their CPU time. */
  List<ProcessHandle> controlPlane() {
    return ProcessHandle.current()
        .descendants()
        .filter(
            p -> {
              Optional<String> command = p.info().command();
              return command.isPresent()
                  && (command.get().endsWith("/etcd") || command.get().endsWith("kube-apiserver"));
            })
        .toList();
  }

  void installCrd(Path crdFile) throws IOException {
    try (InputStream in = Files.newInputStream(crdFile)) {
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

  void createNamespace(String name) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  /**
   * A kubeconfig that authenticates as the ServiceAccount with a bound token, as the operator's pod
   * would: its requests are then subject to its RBAC and to API priority and fairness like a
   * deployed operator's, and the audit log tells them from the benchmark's own.
   */
  Path serviceAccountKubeconfig(String namespace, String serviceAccount, Path file)
      throws IOException {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(6 * 3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config adminConfig = Config.fromKubeconfig(Files.readString(kubeconfig));
    String ca =
        adminConfig.getCaCertData() != null && !adminConfig.getCaCertData().isBlank()
            ? "certificate-authority-data: " + adminConfig.getCaCertData()
            : "certificate-authority: " + Path.of(adminConfig.getCaCertFile()).toAbsolutePath();
    return Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: bench
          cluster:
            server: %s
            %s
        users:
        - name: operator
          user:
            token: %s
        contexts:
        - name: bench
          context: {cluster: bench, user: operator, namespace: %s}
        current-context: bench
        """
            .formatted(adminConfig.getMasterUrl().replaceAll("/+$", ""), ca, token, namespace));
  }

  @Override
  public void close() {
    if (garbageCollector != null) {
      garbageCollector.destroy();
    }
    admin.close();
    server.stop();
  }
}
