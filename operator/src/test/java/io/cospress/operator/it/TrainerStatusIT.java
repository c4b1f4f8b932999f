package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.operator.CosPressOperator;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/status-model.md and docs/security.md on a real API server with RBAC on: the real trainer,
 * authenticated only by a token of its run's ServiceAccount, reports progress, metrics and
 * checkpoints into the run's status next to the operator's phase and conditions, each writer owning
 * its own fields; and that token can touch nothing but its own run's status.
 */
class TrainerStatusIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long TRAINER_TIMEOUT_MINUTES = 4;
  private static final String OPERATOR = CosPressConstants.FIELD_MANAGER_OPERATOR;
  private static final String TRAINER = CosPressConstants.FIELD_MANAGER_TRAINER;

  private final KubernetesClient admin = ApiServer.get().admin();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String namespace;
  private Runs runs;
  private CosPressOperator operator;

  @BeforeEach
  void startOperator() throws Exception {
    namespace = ApiServer.get().newNamespace("trainer-status");
    runs = new Runs(namespace);
    operator = OperatorUnderTest.start(Set.of(namespace), new RetryPolicy());
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void trainerWithTheRunsServiceAccountTokenReportsProgressMetricsAndCheckpoint() throws Exception {
    String manifest = createRun("alpha");
    DistillationRunStatus operatorStatus = awaitTrainerIdentityAndPhase("alpha");
    assertThat(operatorStatus.getProgress()).isNull();
    Path work = Files.createTempDirectory("cospress-trainer-status");
    toClose.add(() -> deleteRecursively(work));
    Path kubeconfig = work.resolve("kubeconfig.yaml");
    Files.writeString(kubeconfig, tokenKubeconfig("alpha-trainer"));
    Path manifestFile = work.resolve("alpha.yaml");
    Files.writeString(manifestFile, manifest);

    Path log = work.resolve("trainer.log");
    long started = System.nanoTime();
    int exit = runTrainer(manifestFile, work.resolve("out"), kubeconfig, "alpha", log);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    String output = Files.readString(log);
    System.out.println("trainer finished with exit " + exit + " after " + seconds + " s");

    assertThat(exit).as(output).isZero();
    assertThat(output).as("the status sink never failed").doesNotContain("cannot report status");
    DistillationRun run = run("alpha");
    DistillationRunStatus status = run.getStatus();
    assertThat(status.getProgress()).as("progress").isNotNull();
    assertThat(status.getProgress().getEpochs()).isEqualTo("2/2");
    assertThat(status.getProgress().getEpoch()).isEqualTo(2);
    assertThat(status.getProgress().getTotalEpochs()).isEqualTo(2);
    assertThat(status.getProgress().getStep()).isPositive();
    assertThat(status.getMetrics()).as("metrics").isNotNull();
    assertThat(status.getMetrics().getLoss()).isNotNull().isPositive();
    assertThat(status.getMetrics().getStudentKnnAccuracy()).isNotNull().isBetween(0.0, 1.0);
    assertThat(status.getCheckpoint()).as("checkpoint").isNotNull();
    assertThat(status.getCheckpoint().getLatest()).startsWith("ckpt-");
    assertThat(status.getCheckpoint().getEpoch()).as("the final epoch's checkpoint").isEqualTo(2);
    assertThat(status.getCheckpoint().getStep()).isEqualTo(status.getProgress().getStep());
    assertThat(
            work.resolve("out").resolve("checkpoints").resolve(status.getCheckpoint().getLatest()))
        .as("the reported checkpoint is the one the trainer wrote")
        .isDirectory();

    // The operator's half of the status is untouched by the trainer's writes.
    assertThat(status.getPhase()).isEqualTo(operatorStatus.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .contains("Ready", "Reconciling")
        .containsExactlyInAnyOrderElementsOf(
            operatorStatus.getConditions().stream().map(Condition::getType).toList());
    assertThat(status.getObservedGeneration()).isEqualTo(operatorStatus.getObservedGeneration());
    assertThat(status.getJobName()).isEqualTo("alpha-a1");
    assertThat(status.getAttempt()).isEqualTo(1);

    System.out.println("managedFields after the trainer: " + describe(run));
    assertOwnership(run);

    // One more operator pass (a spec change bumps the generation) keeps the trainer's fields.
    long generation = run.getMetadata().getGeneration();
    admin
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .withName("alpha")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"maxRestarts\":5}}");
    DistillationRunStatus after =
        awaitStatus("alpha", s -> Long.valueOf(generation + 1).equals(s.getObservedGeneration()));
    DistillationRun reconciled = run("alpha");
    System.out.println("managedFields after the operator: " + describe(reconciled));
    assertThat(after.getProgress()).isEqualTo(status.getProgress());
    assertThat(after.getMetrics()).isEqualTo(status.getMetrics());
    assertThat(after.getCheckpoint()).isEqualTo(status.getCheckpoint());
    assertThat(after.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(after.getConditions())
        .as("the operator read the trainer's checkpoint")
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("CheckpointSaved");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getMessage()).contains(status.getCheckpoint().getLatest());
            });
    assertOwnership(reconciled);
  }

  @Test
  void runTokenCannotPatchAnotherRunsStatus() throws Exception {
    createRun("alpha");
    createRun("beta");
    awaitTrainerIdentityAndPhase("alpha");
    awaitTrainerIdentityAndPhase("beta");
    KubernetesClient alphaToken = TrainerIdentity.clientOf(namespace, "alpha");
    toClose.add(alphaToken);
    String user = "system:serviceaccount:" + namespace + ":alpha-trainer";

    KubernetesClientException applyToBeta =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> TrainerIdentity.applyProgress(alphaToken, namespace, "beta", "1/2"));
    assertForbidden(applyToBeta, user, "patch", "distillationruns/status");
    SingleRunPatch.Reply mergeIntoBeta =
        mergePatch(
            alphaToken,
            "beta",
            "/status",
            "{\"status\":{\"phase\":\"Succeeded\",\"message\":\"hijacked\"}}");
    assertForbidden(mergeIntoBeta, user, "patch", "distillationruns/status");
    DistillationRunStatus beta = run("beta").getStatus();
    assertThat(beta.getProgress()).isNull();
    assertThat(beta.getPhase()).isEqualTo(RunPhase.Pending);
    assertThat(beta.getMessage()).isNotEqualTo("hijacked");

    TrainerIdentity.applyProgress(alphaToken, namespace, "alpha", "1/2");
    SingleRunPatch.Reply mergeIntoAlpha =
        mergePatch(
            alphaToken, "alpha", "/status", "{\"status\":{\"progress\":{\"totalEpochs\":2}}}");
    assertThat(mergeIntoAlpha.code()).as(mergeIntoAlpha.body()).isEqualTo(200);
    DistillationRunStatus alpha = run("alpha").getStatus();
    assertThat(alpha.getProgress().getEpochs()).isEqualTo("1/2");
    assertThat(alpha.getProgress().getTotalEpochs()).isEqualTo(2);
    assertThat(alpha.getPhase()).isEqualTo(RunPhase.Pending);

    KubernetesClientException readRun =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                alphaToken
                    .resources(DistillationRun.class)
                    .inNamespace(namespace)
                    .withName("alpha")
                    .get());
    assertForbidden(readRun, user, "get", "distillationruns");
    SingleRunPatch.Reply patchSpec =
        mergePatch(alphaToken, "alpha", "", "{\"spec\":{\"maxRestarts\":9}}");
    assertForbidden(patchSpec, user, "patch", "distillationruns");
    KubernetesClientException applySpec =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> {
              DistillationRun fresh = new DistillationRun();
              fresh.getMetadata().setName("alpha");
              fresh.getMetadata().setNamespace(namespace);
              fresh.setSpec(new DistillationRunSpec());
              fresh.getSpec().setSuspend(true);
              fresh.setStatus(null);
              alphaToken
                  .resource(fresh)
                  .patch(
                      new PatchContext.Builder()
                          .withPatchType(PatchType.SERVER_SIDE_APPLY)
                          .withFieldManager(TRAINER)
                          .withForce(true)
                          .build());
            });
    assertForbidden(applySpec, user, "patch", "distillationruns");
    KubernetesClientException listRuns =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> alphaToken.resources(DistillationRun.class).inNamespace(namespace).list());
    assertForbidden(listRuns, user, "list", "distillationruns");
    DistillationRun alphaAfter = run("alpha");
    assertThat(alphaAfter.getSpec().getMaxRestarts()).isEqualTo(3);
    assertThat(alphaAfter.getSpec().getSuspend()).isNotEqualTo(Boolean.TRUE);
  }

  /** The reply to one HTTP request: its code and, for an error, the Status message. */
  /** Exactly one JSON merge patch request, so a 403 is the API server's answer to the patch. */
  private SingleRunPatch.Reply mergePatch(
      KubernetesClient client, String run, String subresource, String body) throws Exception {
    return SingleRunPatch.send(
        client, namespace, run, subresource, "application/merge-patch+json", body);
  }

  /** Creates a run from a small manifest on the bundled sample and returns that manifest. */
  private String createRun(String name) {
    String yaml =
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata:
          name: %s
          namespace: %s
        spec:
          teacher:
            model: models/teacher-vit-fmnist.pt
            output: tokens
          student:
            model: models/student-vit-tiny.pt
            output: tokens
          dataset:
            format: idx
            imageSize: 28
            channels: 1
            mean: [0.2860]
            std: [0.3530]
            train:
              path: data/fashion-mnist-sample/train-images-idx3-ubyte.gz
              labels: data/fashion-mnist-sample/train-labels-idx1-ubyte.gz
              limit: 256
            validation:
              path: data/fashion-mnist-sample/val-images-idx3-ubyte.gz
              labels: data/fashion-mnist-sample/val-labels-idx1-ubyte.gz
              limit: 200
          training:
            epochs: 2
            batchSize: 64
            seed: 7
          evaluation:
            knnK: 20
          checkpoint:
            path: checkpoints
            intervalEpochs: 1
        """
            .formatted(name, namespace);
    admin
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .create();
    return yaml;
  }

  /**
   * Waits for the operator to have given the run its trainer identity (ServiceAccount, a Role for
   * this run's status only, RoleBinding) and its first status; returns that status.
   */
  private DistillationRunStatus awaitTrainerIdentityAndPhase(String run) {
    String name = run + "-trainer";
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                admin.serviceAccounts().inNamespace(namespace).withName(name).get() != null
                    && admin.rbac().roles().inNamespace(namespace).withName(name).get() != null
                    && admin.rbac().roleBindings().inNamespace(namespace).withName(name).get()
                        != null);
    Role role = admin.rbac().roles().inNamespace(namespace).withName(name).get();
    assertThat(role.getRules()).hasSize(1);
    PolicyRule rule = role.getRules().get(0);
    assertThat(rule.getResources()).containsExactly("distillationruns/status");
    assertThat(rule.getResourceNames()).containsExactly(run);
    RoleBinding binding = admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(name);
            });
    return awaitStatus(run, s -> s.getPhase() != null && !s.getConditions().isEmpty());
  }

  private DistillationRun run(String name) {
    return runs.get(name);
  }

  private DistillationRunStatus awaitStatus(
      String name, java.util.function.Predicate<DistillationRunStatus> condition) {
    return runs.awaitStatus(name, condition);
  }

  /**
   * A kubeconfig for the shared API server that authenticates with nothing but a fresh token of the
   * given ServiceAccount, from the TokenRequest API (as the kubelet projects into a pod).
   */
  private String tokenKubeconfig(String serviceAccount) {
    return ApiServer.get().tokenKubeconfig(namespace, serviceAccount);
  }

  /** The real trainer jar in its own JVM, its only Kubernetes identity the given kubeconfig. */
  private int runTrainer(Path manifest, Path output, Path kubeconfig, String runName, Path log)
      throws Exception {
    Path jar = Path.of(System.getProperty("cospress.trainerJar")).toAbsolutePath().normalize();
    assertThat(jar).as("trainer jar (mvn install -pl api,trainer)").isRegularFile();
    Path examples = jar.getParent().getParent().getParent().resolve("examples");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dai.djl.offline=true",
                "-jar",
                jar.toString(),
                "run",
                "-f",
                manifest.toString(),
                "--base-dir",
                examples.toString(),
                "--output",
                output.toString(),
                "--workers",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES") || k.startsWith("KUBECONFIG"));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(CosPressConstants.ENV_RUN_NAME, runName);
    env.put(CosPressConstants.ENV_RUN_NAMESPACE, namespace);
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    Process process = builder.start();
    try {
      if (!process.waitFor(TRAINER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        throw new AssertionError(
            "trainer still running after "
                + TRAINER_TIMEOUT_MINUTES
                + " min:\n"
                + Files.readString(log));
      }
      return process.exitValue();
    } finally {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void assertForbidden(
      KubernetesClientException e, String user, String verb, String resource) {
    assertThat(e).as("expected HTTP 403 for " + verb + " " + resource).isNotNull();
    assertForbidden(new SingleRunPatch.Reply(e.getCode(), e.getMessage()), user, verb, resource);
  }

  private static void assertForbidden(
      SingleRunPatch.Reply reply, String user, String verb, String resource) {
    assertThat(reply.code()).as(reply.body()).isEqualTo(403);
    assertThat(reply.body())
        .contains("User \"" + user + "\"")
        .contains("cannot " + verb + " resource \"" + resource + "\"");
  }

  /**
   * Both writers own status fields through the status subresource, and neither owns the other's:
   * the trainer progress, metrics and checkpoint only; the operator phase and conditions but none
   * of the trainer's fields.
   */
  private static void assertOwnership(DistillationRun run) {
    List<ManagedFieldsEntry> entries = run.getMetadata().getManagedFields();
    ManagedFieldsEntry trainer = onlyStatusEntry(entries, TRAINER);
    ManagedFieldsEntry operator = onlyStatusEntry(entries, OPERATOR);
    assertThat(entries)
        .filteredOn(e -> TRAINER.equals(e.getManager()))
        .as("the trainer writes nothing but the status")
        .allSatisfy(e -> assertThat(e.getSubresource()).isEqualTo("status"));
    assertThat(statusFields(trainer))
        .as("status fields the trainer owns")
        .containsExactlyInAnyOrder("f:progress", "f:metrics", "f:checkpoint");
    assertThat(statusFields(operator))
        .as("status fields the operator owns")
        .contains("f:phase", "f:conditions", "f:observedGeneration")
        .doesNotContain("f:progress", "f:metrics", "f:checkpoint");
  }

  private static ManagedFieldsEntry onlyStatusEntry(List<ManagedFieldsEntry> entries, String who) {
    List<ManagedFieldsEntry> mine =
        entries.stream()
            .filter(e -> who.equals(e.getManager()) && "status".equals(e.getSubresource()))
            .toList();
    assertThat(mine).as("status entries of " + who + " in " + entries).hasSize(1);
    assertThat(mine.get(0).getOperation()).isEqualTo("Apply");
    return mine.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Set<String> statusFields(ManagedFieldsEntry entry) {
    Object status = entry.getFieldsV1().getAdditionalProperties().get("f:status");
    assertThat(status).as(entry.getManager() + " owns fields under status").isInstanceOf(Map.class);
    return ((Map<String, Object>) status).keySet();
  }

  private static String describe(DistillationRun run) {
    return run.getMetadata().getManagedFields().stream()
        .map(
            e ->
                e.getManager()
                    + "/"
                    + e.getOperation()
                    + "/"
                    + (e.getSubresource() == null ? "-" : e.getSubresource())
                    + "="
                    + e.getFieldsV1().getAdditionalProperties())
        .collect(Collectors.joining("; ", "[", "]"));
  }
}
