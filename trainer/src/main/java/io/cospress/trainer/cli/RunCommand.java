package io.cospress.trainer.cli;

import ai.djl.Device;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.metrics.MetricsServer;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.report.CompositeSink;
import io.cospress.trainer.report.ConsoleSink;
import io.cospress.trainer.report.KubernetesStatusSink;
import io.cospress.trainer.report.RateLimitedSink;
import io.cospress.trainer.report.StatusFileSink;
import io.cospress.trainer.report.StatusSink;
import io.cospress.trainer.train.DistillationSession;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.RunResult;
import io.cospress.trainer.train.StopSignal;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs a DistillationRun manifest on this machine. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Train a student as the DistillationRun manifest says. Checkpoints and status.json go",
      "under --output; a run whose checkpoint directory holds checkpoints resumes from them."
    })
public final class RunCommand implements Callable<Integer> {

  /** Enough for a checkpoint of a ViT-L student on a slow disk; the pod's grace period matches. */
  static final long SHUTDOWN_GRACE_SECONDS = 120;

  /**
   * In a pod, how long a trainer waits for the run directory's lock: the previous attempt of the
   * same run may still be checkpointing within its grace period (suspend, preemption). Longer than
   * that grace period, so only a real second user of the directory is refused.
   */
  static final Duration POD_LOCK_PATIENCE = Duration.ofSeconds(240);

  @ParentCommand CosPressTrainer parent;

  @Mixin ManifestOptions files;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      paramLabel = "cpu|gpu",
      description = "Device to train on (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--metrics-port",
      defaultValue = "-1",
      paramLabel = "PORT",
      description = "Serve Prometheus metrics on this port, 0-65535 (0 picks one; default: off).")
  int metricsPort;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Data-loading threads, 1-256 (default: half the available CPUs).")
  Integer workers;

  @Option(
      names = "--stop-after-steps",
      hidden = true,
      description = "Stop as if SIGTERM arrived after N steps (drills and tests).")
  Long stopAfterSteps;

  @Override
  public Integer call() throws IOException {
    RunManifest manifest = files.load(parent.environment);
    Device target = RunOptionChecks.device(device);
    RunOptionChecks.requireWorkers(workers);
    RunOptionChecks.requireMetricsPort(metricsPort);
    RunOptionChecks.requireStopAfterSteps(stopAfterSteps);
    RunOptions options =
        new RunOptions(
            files.outputDir(manifest),
            target,
            metricsPort,
            workers != null ? workers : RunOptions.defaultWorkers(),
            stopAfterSteps);
    Path checkpoints =
        manifest.confine(
            "spec.checkpoint.path",
            options.outputDir(),
            manifest.run().getSpec().getCheckpoint().getPath());
    try (RunDirectory directory =
        RunDirectory.inspect(
            options.outputDir(),
            checkpoints,
            manifest.confinement(options.outputDir()),
            System.err::println)) {
      if (parent.environment.get(CosPressConstants.ENV_RUN_NAME) != null) {
        directory.waitingUpTo(POD_LOCK_PATIENCE);
      }
      directory.lockExisting();
      return train(manifest, options, directory);
    }
  }

  private int train(RunManifest manifest, RunOptions options, RunDirectory directory)
      throws IOException {
    StopSignal stop = new StopSignal();
    stop.installShutdownHook(SHUTDOWN_GRACE_SECONDS);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrainerMetrics metrics = new TrainerMetrics(registry, manifest.namespace(), manifest.name());
    MetricsServer server = null;
    StatusSink sink = null;
    try {
      if (options.metricsPort() >= 0) {
        server = RunOptionChecks.startMetrics(registry, options.metricsPort());
        System.out.println("metrics on :" + server.port() + "/metrics");
      }
      sink = statusSinks(directory.statusFile(), parent.environment);
      CheckpointStore store =
          new CheckpointStore(
              directory.checkpoints(), manifest.run().getSpec().getCheckpoint().getKeep());
      List<String> before = checkpointNames(store);
      try (DistillationSession session =
          new DistillationSession(manifest, options, sink, metrics, stop, System.out::println)) {
        // The inputs are good: from here on this trainer writes, and must be the only one.
        directory.lockAll();
        if (!before.equals(checkpointNames(store))) {
          throw new IllegalStateException(
              "another trainer wrote checkpoints to "
                  + directory.checkpoints()
                  + " while this one was starting; run the command again to resume from them");
        }
        int stale = store.removeStaleTemporaries();
        if (stale > 0) {
          System.out.println(
              "removed " + stale + " unfinished checkpoint(s) a stopped trainer left behind");
        }
        RunResult result = session.run();
        printSummary(result);
        return 0;
      }
    } finally {
      if (server != null) {
        server.close();
      }
      if (sink != null) {
        sink.close();
      }
      stop.markFinished();
    }
  }

  private static List<String> checkpointNames(CheckpointStore store) throws IOException {
    return store.list().stream().map(Checkpoint::name).toList();
  }

  /**
   * Console and status.json always; in a pod (the operator sets the run's identity in the
   * environment) also the run's status subresource, at most every five seconds, milestones
   * included, so a fleet cannot flood the API server.
   */
  private static StatusSink statusSinks(Path statusFile, Map<String, String> environment) {
    List<StatusSink> sinks = new java.util.ArrayList<>();
    sinks.add(
        new RateLimitedSink(
            new CompositeSink(
                List.of(
                    new ConsoleSink(System.out, ConsoleSink.stdoutIsTerminal()),
                    new StatusFileSink(statusFile))),
            Duration.ofSeconds(2),
            Clock.systemUTC()));
    String run = environment.get(CosPressConstants.ENV_RUN_NAME);
    String namespace = environment.get(CosPressConstants.ENV_RUN_NAMESPACE);
    if (run != null && namespace != null) {
      sinks.add(
          RateLimitedSink.strict(
              new KubernetesStatusSink(new KubernetesClientBuilder().build(), namespace, run),
              Duration.ofSeconds(5),
              Clock.systemUTC()));
    }
    return new CompositeSink(sinks);
  }

  private static void printSummary(RunResult result) {
    MetricsStatus m = result.metrics();
    if (!result.completed()) {
      System.out.println(
          "stopped at epoch "
              + result.epoch()
              + ", step "
              + result.step()
              + "; run the same command again to resume from "
              + result.checkpointDir());
      return;
    }
    System.out.println(
        "done: " + result.step() + " steps, student written to " + result.finalStudent());
    if (m.getStudentKnnAccuracy() != null) {
      System.out.println(
          String.format(
              Locale.ROOT,
              "kNN accuracy: student %.2f%%, teacher %.2f%% (agreement %.2f%%, similarity MAE %.4f)",
              100 * m.getStudentKnnAccuracy(),
              100 * m.getTeacherKnnAccuracy(),
              100 * m.getAgreement(),
              m.getSimilarityMae()));
    }
  }
}
