package io.cospress.operator.bench;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.rbac.TrainerRbac;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How often a real trainer writes its run's status, counted at the API server: the trainer jar
 * trains a small run (short epochs, an evaluation and a checkpoint after each, so milestones come
 * thick and fast) authenticated only by a token of the run's ServiceAccount, as in its pod, and the
 * audit log counts its status patches. Each trainer jar runs on a fresh API server.
 *
 * <p>Usage: TrainerStatusRate --kube-binaries DIR --crd FILE --examples DIR [--epochs 6]
 * LABEL=TRAINER_JAR...
 */
public final class TrainerStatusRate {

  private static final String NAMESPACE = "rate";
  private static final String RUN = "rate";
  private static final Duration WINDOW = Duration.ofSeconds(5);

  private TrainerStatusRate() {}

  public static void main(String[] args) throws Exception {
    Path kubeBinaries = null;
    Path crd = null;
    Path examples = null;
    int epochs = 6;
    Map<String, Path> jars = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kube-binaries" -> kubeBinaries = Path.of(args[++i]);
        case "--crd" -> crd = Path.of(args[++i]);
        case "--examples" -> examples = Path.of(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          if (eq <= 0) {
            System.err.println(
                "usage: "
                    + TrainerStatusRate.class.getSimpleName()
                    + " --kube-binaries DIR --crd FILE --examples DIR [--epochs N] LABEL=JAR...");
            System.exit(2);
          }
          jars.put(args[i].substring(0, eq), Path.of(args[i].substring(eq + 1)));
        }
      }
    }
    List<String> rows = new ArrayList<>();
    for (Map.Entry<String, Path> jar : jars.entrySet()) {
      rows.add(jar.getKey() + " | " + measure(kubeBinaries, crd, examples, epochs, jar.getValue()));
    }
    System.out.println(
        "| trainer | status writes | trainer ran | writes per second | most in any 5 s |");
    System.out.println("|---|---|---|---|---|");
    rows.forEach(r -> System.out.println("| " + r + " |"));
  }

  private static String measure(Path kubeBinaries, Path crd, Path examples, int epochs, Path jar)
      throws Exception {
    Path work = Files.createTempDirectory("cospress-trainer-rate");
    try (BenchCluster cluster = BenchCluster.start(kubeBinaries, work)) {
      cluster.installCrd(crd);
      cluster.createNamespace(NAMESPACE);
      String manifest = manifest(epochs);
      DistillationRun run =
          cluster
              .admin()
              .resources(DistillationRun.class)
              .inNamespace(NAMESPACE)
              .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
              .create();
      cluster.admin().resource(TrainerRbac.serviceAccount(run)).create();
      cluster.admin().resource(TrainerRbac.role(run)).create();
      cluster.admin().resource(TrainerRbac.roleBinding(run)).create();
      Path kubeconfig =
          cluster.serviceAccountKubeconfig(
              NAMESPACE, TrainerRbac.serviceAccountName(run), work.resolve("trainer.kubeconfig"));
      Path manifestFile = Files.writeString(work.resolve("run.yaml"), manifest);
      AuditLog audit = new AuditLog(cluster.auditLog());
      int from = audit.poll().size();
      long started = System.nanoTime();
      int exit = runTrainer(jar, manifestFile, examples, work, kubeconfig);
      double seconds = (System.nanoTime() - started) / 1e9;
      if (exit != 0) {
        throw new IllegalStateException(
            "trainer exited " + exit + ": " + Files.readString(work.resolve("trainer.log")));
      }
      String user =
          "system:serviceaccount:" + NAMESPACE + ":" + TrainerRbac.serviceAccountName(run);
      List<AuditLog.Request> all = audit.poll();
      List<Instant> writes =
          all.subList(from, all.size()).stream()
              .filter(r -> user.equals(r.user()) && r.isWrite())
              .map(AuditLog.Request::completed)
              .sorted()
              .toList();
      return String.format(
          Locale.ROOT,
          "%d | %.1f s | %.3f | %d",
          writes.size(),
          seconds,
          writes.size() / seconds,
          mostInWindow(writes));
    }
  }

  /** The most writes that fall into any window of {@link #WINDOW}. */
  private static int mostInWindow(List<Instant> sorted) {
    int most = 0;
    int start = 0;
    for (int end = 0; end < sorted.size(); end++) {
      while (Duration.between(sorted.get(start), sorted.get(end)).compareTo(WINDOW) >= 0) {
        start++;
      }
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  private static int runTrainer(Path jar, Path manifest, Path examples, Path work, Path kubeconfig)
      throws Exception {
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
                examples.toAbsolutePath().toString(),
                "--output",
                work.resolve("out").toString(),
                "--workers",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("trainer.log").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES") || k.startsWith("KUBECONFIG"));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(CosPressConstants.ENV_RUN_NAME, RUN);
    env.put(CosPressConstants.ENV_RUN_NAMESPACE, NAMESPACE);
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    Process process = builder.start();
    if (!process.waitFor(15, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("trainer still running after 15 min");
    }
    return process.exitValue();
  }

  /** Short epochs, evaluated and checkpointed each: milestones come often. */
  private static String manifest(int epochs) {
    return """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata:
          name: %s
          namespace: %s
        spec:
          teacher: {model: models/teacher-vit-fmnist.pt, output: tokens}
          student: {model: models/student-vit-tiny.pt, output: tokens}
          dataset:
            format: idx
            imageSize: 28
            channels: 1
            mean: [0.2860]
            std: [0.3530]
            train:
              path: data/fashion-mnist-sample/train-images-idx3-ubyte.gz
              labels: data/fashion-mnist-sample/train-labels-idx1-ubyte.gz
              limit: 512
            validation:
              path: data/fashion-mnist-sample/val-images-idx3-ubyte.gz
              labels: data/fashion-mnist-sample/val-labels-idx1-ubyte.gz
              limit: 200
          training: {epochs: %d, batchSize: 64, seed: 7}
          evaluation: {knnK: 20, intervalEpochs: 1}
          checkpoint: {path: checkpoints, intervalEpochs: 1}
        """
        .formatted(RUN, NAMESPACE, epochs);
  }
}
