package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.operator.CosPressOperator;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A trainer that resumes (the retry after a crash, here after falling back from a corrupt newest
 * checkpoint) names the checkpoint it continues from in the run's status, with its first report.
 *
 * <p>It did not: the first report of a resumed trainer carried {@code metrics: {}} (nothing
 * measured yet), and server-side apply of an empty object over the fields the trainer's previous
 * apply had set leaves {@code metrics: null}, which the CRD refuses (HTTP 422). The report was
 * lost, the next one came an interval later and, on a fast machine, named a newer checkpoint.
 */
class ResumedTrainerStatusIT {

  private static final long TRAINER_TIMEOUT_MINUTES = 4;
  private static final String TRAINER = CosPressConstants.FIELD_MANAGER_TRAINER;

  private final KubernetesClient admin = ApiServer.get().admin();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String namespace;
  private Runs runs;
  private CosPressOperator operator;

  @BeforeEach
  void startOperator() throws Exception {
    namespace = ApiServer.get().newNamespace("resumed-status");
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

  /**
   * The cause, replayed with the run's own token: the bodies the trainer applied. An empty {@code
   * metrics} after one with values is refused; leaving {@code metrics} out, as the trainer now does
   * when it has measured nothing, is accepted and the status names the checkpoint.
   */
  @Test
  void anEmptyMetricsObjectAfterMeasuredOnesIsRefusedLeavingItOutIsNot() throws Exception {
    createRun("replay");
    awaitTrainerIdentity("replay");
    KubernetesClient token = TrainerIdentity.clientOf(namespace, "replay");
    toClose.add(token);

    SingleRunPatch.Reply firstAttempt =
        apply(
            token,
            "replay",
            "{\"progress\":{\"epochs\":\"1/3\",\"step\":6},\"metrics\":{\"loss\":1.5},"
                + "\"checkpoint\":{\"latest\":\"ckpt-0000000006\",\"epoch\":1,\"step\":6}}");
    assertThat(firstAttempt.code()).as(firstAttempt.body()).isEqualTo(200);

    String resumed =
        "\"progress\":{\"epochs\":\"1/3\",\"step\":4},"
            + "\"checkpoint\":{\"latest\":\"ckpt-0000000004\",\"epoch\":1,\"step\":4}";
    SingleRunPatch.Reply withEmptyMetrics =
        apply(token, "replay", "{" + resumed + ",\"metrics\":{}}");
    assertThat(withEmptyMetrics.code()).as(withEmptyMetrics.body()).isEqualTo(422);
    assertThat(withEmptyMetrics.body())
        .contains("status.metrics")
        .contains("must be of type object");
    assertThat(runs.get("replay").getStatus().getCheckpoint().getLatest())
        .as("the refused report changed nothing")
        .isEqualTo("ckpt-0000000006");

    SingleRunPatch.Reply withoutMetrics = apply(token, "replay", "{" + resumed + "}");
    assertThat(withoutMetrics.code()).as(withoutMetrics.body()).isEqualTo(200);
    DistillationRunStatus status = runs.get("replay").getStatus();
    assertThat(status.getCheckpoint().getLatest()).isEqualTo("ckpt-0000000004");
    assertThat(status.getProgress().getStep()).isEqualTo(4);
    assertThat(status.getMetrics()).as("the previous attempt's loss went with it").isNull();
  }

  /**
   * The real trainer twice: the first stops after six steps (checkpoints at steps 4 and 6), the
   * newest checkpoint is damaged, and the second falls back to step 4; its first report names that
   * checkpoint, and no report of either is refused.
   */
  @Test
  void aTrainerResumingFromAnOlderCheckpointNamesItInTheStatusAtOnce() throws Exception {
    String manifest = createRun("resumed");
    awaitTrainerIdentity("resumed");
    Path work = Files.createTempDirectory("cospress-resumed-status");
    toClose.add(() -> deleteRecursively(work));
    Path kubeconfig =
        Files.writeString(
            work.resolve("kubeconfig.yaml"),
            ApiServer.get().tokenKubeconfig(namespace, "resumed-trainer"));
    Path manifestFile = Files.writeString(work.resolve("resumed.yaml"), manifest);
    Path output = work.resolve("out");
    Path checkpoints = output.resolve("checkpoints");
    List<String> seen = watchCheckpoints("resumed");

    Path firstLog = work.resolve("first.log");
    int firstExit =
        runTrainer(manifestFile, output, kubeconfig, firstLog, "--stop-after-steps", "6");
    String first = Files.readString(firstLog);
    assertThat(firstExit).as(first).isZero();
    assertThat(first).doesNotContain("rejected", "cannot report status");
    assertThat(checkpoints.resolve("ckpt-0000000004")).isDirectory();
    assertThat(checkpoints.resolve("ckpt-0000000006")).isDirectory();
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("ckpt-0000000006@6"));
    // One byte more in the newest checkpoint's head: its checksum no longer matches.
    Files.write(
        checkpoints.resolve("ckpt-0000000006").resolve("head.npz"),
        new byte[] {1},
        StandardOpenOption.APPEND);
    int before = seen.size();

    Path secondLog = work.resolve("second.log");
    int secondExit = runTrainer(manifestFile, output, kubeconfig, secondLog);
    String second = Files.readString(secondLog);
    assertThat(secondExit).as(second).isZero();
    assertThat(second)
        .contains("ckpt-0000000006 is corrupt (")
        .contains("resuming from " + checkpoints.resolve("ckpt-0000000004"))
        .doesNotContain("rejected", "cannot report status");

    List<String> secondReports = List.copyOf(seen.subList(before, seen.size()));
    System.out.println("checkpoints the status named during the second trainer: " + secondReports);
    assertThat(secondReports)
        .as("the retry's first report names the checkpoint it continues from")
        .first()
        .isEqualTo("ckpt-0000000004@4");
    DistillationRunStatus last = runs.get("resumed").getStatus();
    assertThat(last.getCheckpoint().getLatest()).isEqualTo("ckpt-0000000012");
    assertThat(last.getProgress().getStep()).isEqualTo(12);
    assertThat(last.getMetrics().getLoss()).isPositive();
  }

  /**
   * Every status the run goes through, as "checkpoint@step" whenever either changes (the operator's
   * own writes in between do not count).
   */
  private List<String> watchCheckpoints(String run) {
    List<String> seen = new CopyOnWriteArrayList<>();
    ResourceEventHandler<DistillationRun> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(DistillationRun r) {
            record(r);
          }

          @Override
          public void onUpdate(DistillationRun old, DistillationRun r) {
            record(r);
          }

          @Override
          public void onDelete(DistillationRun r, boolean unknownFinalState) {}

          private void record(DistillationRun r) {
            DistillationRunStatus s = r.getStatus();
            if (s == null || s.getCheckpoint() == null || s.getProgress() == null) {
              return;
            }
            String now = s.getCheckpoint().getLatest() + "@" + s.getProgress().getStep();
            if (seen.isEmpty() || !Objects.equals(seen.get(seen.size() - 1), now)) {
              seen.add(now);
            }
          }
        };
    SharedIndexInformer<DistillationRun> informer =
        admin.resources(DistillationRun.class).inNamespace(namespace).withName(run).inform(handler);
    toClose.add(informer::close);
    return seen;
  }

  /**
   * One server-side apply of {@code statusJson} as the run's status, under the trainer's field
   * manager, exactly one request (no read before it).
   */
  private SingleRunPatch.Reply apply(KubernetesClient client, String run, String statusJson)
      throws Exception {
    String body =
        "{\"apiVersion\":\"cospress.io/v1alpha1\",\"kind\":\"DistillationRun\","
            + "\"metadata\":{\"name\":\""
            + run
            + "\",\"namespace\":\""
            + namespace
            + "\"},\"status\":"
            + statusJson
            + "}";
    return SingleRunPatch.send(
        client,
        namespace,
        run,
        "/status?fieldManager=" + TRAINER + "&force=true",
        "application/apply-patch+yaml",
        body);
  }

  /** A run of three epochs of four steps on the bundled sample; returns its manifest. */
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
            epochs: 3
            batchSize: 64
            seed: 7
          evaluation:
            knnK: 20
            intervalEpochs: 3
          checkpoint:
            path: checkpoints
            intervalEpochs: 1
            keep: 3
        """
            .formatted(name, namespace);
    admin
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .create();
    return yaml;
  }

  /** Waits for the ServiceAccount, Role and RoleBinding the operator gives the run's trainer. */
  private void awaitTrainerIdentity(String run) {
    String name = run + "-trainer";
    await()
        .atMost(Runs.TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                admin.serviceAccounts().inNamespace(namespace).withName(name).get() != null
                    && admin.rbac().roles().inNamespace(namespace).withName(name).get() != null
                    && admin.rbac().roleBindings().inNamespace(namespace).withName(name).get()
                        != null);
    runs.awaitStatus(run, s -> s.getPhase() != null);
  }

  /** The real trainer jar in its own JVM, reporting to the run with the given kubeconfig. */
  private int runTrainer(Path manifest, Path output, Path kubeconfig, Path log, String... extra)
      throws Exception {
    Path jar = Path.of(System.getProperty("cospress.trainerJar")).toAbsolutePath().normalize();
    assertThat(jar).as("trainer jar (mvn package -pl api,trainer)").isRegularFile();
    Path examples = jar.getParent().getParent().getParent().resolve("examples");
    List<String> command =
        new ArrayList<>(
            List.of(
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
                "1"));
    command.addAll(List.of(extra));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES") || k.startsWith("KUBECONFIG"));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(CosPressConstants.ENV_RUN_NAME, "resumed");
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
}
