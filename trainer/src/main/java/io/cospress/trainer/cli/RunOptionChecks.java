package io.cospress.trainer.cli;

import ai.djl.Device;
import io.cospress.trainer.config.InvalidInputException;
import io.cospress.trainer.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;

/** The ranges of the {@code run} options, checked before anything starts. */
final class RunOptionChecks {

  /** More loader threads than this only contend; a typo like 1000 should not start them. */
  static final int MAX_WORKERS = 256;

  private RunOptionChecks() {}

  static Device device(String name) {
    return switch (name) {
      case "cpu" -> Device.cpu();
      case "gpu" -> Device.gpu();
      default ->
          throw new InvalidInputException("--device: must be cpu or gpu, got \"" + name + "\"");
    };
  }

  static void requireWorkers(Integer workers) {
    if (workers != null && (workers < 1 || workers > MAX_WORKERS)) {
      throw new InvalidInputException(
          "--workers: must be between 1 and " + MAX_WORKERS + ", got " + workers);
    }
  }

  static void requireMetricsPort(int port) {
    if (port < -1 || port > 65535) {
      throw new InvalidInputException(
          "--metrics-port: must be a TCP port 0-65535 (0 picks a free one), got " + port);
    }
  }

  static void requireStopAfterSteps(Long steps) {
    if (steps != null && steps < 1) {
      throw new InvalidInputException("--stop-after-steps: must be >= 1, got " + steps);
    }
  }

  /** Starts the metrics endpoint; a port another process holds is an input error. */
  static MetricsServer startMetrics(PrometheusMeterRegistry registry, int port) throws IOException {
    try {
      return MetricsServer.start(registry, port);
    } catch (BindException e) {
      throw new InvalidInputException(
          "--metrics-port: port " + port + " is already in use (" + e.getMessage() + ")", e);
    }
  }
}
