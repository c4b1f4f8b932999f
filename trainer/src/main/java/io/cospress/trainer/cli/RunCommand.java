package io.cospress.trainer.cli;

import ai.djl.Device;
import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.CheckpointStore;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.metrics.MetricsServer;
import io.cospress.trainer.metrics.TrainerMetrics;
import io.cospress.trainer.output.RunDirectory;
import io.cospress.trainer.report.BackgroundSink;
import io.cospress.trainer.report.CompositeSink;
import io.cospress.trainer.report.ConsoleSink;
import io.cospress.trainer.report.KubernetesStatusSink;
import io.cospress.trainer.report.MetricsReport;
import io.cospress.trainer.report.RateLimitedSink;
import io.cospress.trainer.report.StatusClient;
import io.cospress.trainer.report.StatusFileSink;
import io.cospress.trainer.report.StatusSink;
import io.cospress.trainer.train.RunOptions;
import io.cospress.trainer.train.RunResult;
import io.cospress.trainer.train.SessionFactory;
import io.cospress.trainer.train.StopSignal;
import io.cospress.trainer.train.TrainingSession;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
      "Train a student as the DistillationRun manifest says. Checkpoints, status.json and the",
      "final student go to the run's checkpoint directory (spec.checkpoint.path, relative to",
      "--output); a run whose checkpoint directory holds checkpoints resumes from them."
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

  /**
   * The run's status subresource gets at most one write per this interval between milestones (so a
   * fleet cannot flood the API server), and a failed write is retried after it.
   */
  static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);

  /** How long a finished trainer waits for its last status write: two tries of a failing one. */
  static final Duration LAST_STATUS_WAIT = Duration.ofSeconds(12);

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
    RunManifest manifest = files.load(parent.pod);
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
    try (RunDirectory directory =
        RunDirectory.inspect(
            options.outputDir(),
            manifest.checkpointDir(options.outputDir()),
            manifest.confinement(options.outputDir()),
            System.err::println)) {
      if (parent.pod.inPod()) {
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
      sink = statusSinks(directory.statusFile(), parent.pod);
      CheckpointStore store =
          new CheckpointStore(directory.checkpoints(), manifest.config().checkpoint().keep());
      List<String> before = checkpointNames(store);
      try (TrainingSession session =
          new SessionFactory(options, System.out::println).open(manifest)) {
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
        RunResult result = session.run(sink, metrics, stop);
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
   * Console and status.json always, written on the training thread (status.json atomically); in a
   * pod (the operator sets the run's identity in the environment) also the run's status
   * subresource, at most every five seconds, milestones included, so a fleet cannot flood the API
   * server, written from a thread of its own so an unreachable API server never stalls training
   * (docs/status-model.md).
   */
  private static StatusSink statusSinks(Path statusFile, PodEnvironment pod) {
    List<StatusSink> sinks = new ArrayList<>();
    sinks.add(
        new RateLimitedSink(
            new CompositeSink(
                List.of(
                    new ConsoleSink(System.out, ConsoleSink.stdoutIsTerminal()),
                    new StatusFileSink(statusFile))),
            Duration.ofSeconds(2),
            Clock.systemUTC()));
    if (pod.reportsToRun()) {
      sinks.add(
          new BackgroundSink(
              RateLimitedSink.strict(
                  new KubernetesStatusSink(
                      StatusClient.create(), pod.runNamespace(), pod.runName()),
                  STATUS_INTERVAL,
                  Clock.systemUTC()),
              STATUS_INTERVAL,
              LAST_STATUS_WAIT));
    }
    return new CompositeSink(sinks);
  }

  private static void printSummary(RunResult result) {
    MetricsReport m = result.metrics();
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
    if (m.studentKnnAccuracy() != null) {
      System.out.println(
          String.format(
              Locale.ROOT,
              "kNN accuracy: student %.2f%%, teacher %.2f%% (agreement %.2f%%, similarity MAE %.4f)",
              100 * m.studentKnnAccuracy(),
              100 * m.teacherKnnAccuracy(),
              100 * m.agreement(),
              m.similarityMae()));
    }
  }
}
