package io.cospress.operator.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The operator's jar in its own JVM, started the way its image starts it (the Dockerfile's JVM
 * flags, the chart's environment) with the container's limits emulated: {@code -XX:MaxRAM} is the
 * memory limit the JVM sizes its heap from ({@code MaxRAMPercentage}), {@code
 * -XX:ActiveProcessorCount} the CPU limit it sizes its thread pools and picks its collector from.
 * The CPU limit is not enforced: on a shared machine the operator gets what the scheduler gives.
 */
final class OperatorProcess implements AutoCloseable {

  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private OperatorProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * @param distribution the operator's build output: cospress-operator.jar and lib/
   */
  static OperatorProcess start(
      Path distribution, ChartInstall chart, Path kubeconfig, Path log, String javaHome)
      throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(javaHome, "bin", "java").toString());
    command.addAll(chart.jvmFlags());
    command.add("-XX:MaxRAM=" + chart.memoryLimitBytes());
    command.add("-XX:ActiveProcessorCount=" + (int) Math.ceil(chart.cpuLimit()));
    boolean json = "json".equals(chart.environment().get("LOG_FORMAT"));
    // The image's ENTRYPOINT appends $JAVA_OPTS (chart value javaOpts) after its own flags.
    String javaOpts = chart.environment().getOrDefault("JAVA_OPTS", "");
    if (!javaOpts.isBlank()) {
      command.addAll(List.of(javaOpts.trim().split("\\s+")));
    }
    command.add("-Dlogback.configurationFile=" + (json ? "logback-json.xml" : "logback.xml"));
    // For profiling, e.g. -XX:StartFlightRecording=filename=operator.jfr,settings=profile
    String extra = System.getenv("COSPRESS_BENCH_OPERATOR_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.add("-jar");
    command.add(distribution.resolve("cospress-operator.jar").toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES") || k.startsWith("KUBECONFIG"));
    env.putAll(chart.environment());
    // For experiments with settings the chart does not expose: KEY=VALUE,KEY=VALUE
    String overrides = System.getenv("COSPRESS_BENCH_OPERATOR_ENV");
    if (overrides != null && !overrides.isBlank()) {
      for (String pair : overrides.split(",")) {
        int eq = pair.indexOf('=');
        env.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    env.put("HTTP_PORT", Integer.toString(port));
    env.put("KUBECONFIG", kubeconfig.toString());
    return new OperatorProcess(builder.start(), port, log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waits until /readyz answers 200: informers synced and, with leader election, the lease. */
  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited with " + process.exitValue());
      }
      try {
        if (get("/readyz").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the operator was not ready after " + timeout);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  String scrape() throws Exception {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** User plus system CPU time of the whole process so far. */
  double cpuSeconds() throws IOException {
    return cpuSeconds(process.pid());
  }

  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name may contain spaces; the fields after it are fixed.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** Resident set size now, in bytes. */
  long rssBytes() throws IOException {
    return statusKilobytes("VmRSS:") * 1024;
  }

  /** The largest resident set size so far, in bytes. */
  long peakRssBytes() throws IOException {
    return statusKilobytes("VmHWM:") * 1024;
  }

  private long statusKilobytes(String field) throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException(field + " missing from /proc status");
  }

  /** A full collection, so the heap used afterwards is what the operator keeps alive. */
  void fullGc(String javaHome) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(javaHome, "bin", "jcmd").toString(), Long.toString(pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IllegalStateException("jcmd GC.run failed");
    }
  }

  /** The classes that hold the most heap, as {@code jcmd GC.class_histogram} prints them. */
  void heapHistogram(String javaHome, Path file) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(javaHome, "bin", "jcmd").toString(),
                Long.toString(pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    if (!jcmd.waitFor(120, TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
    }
  }

  /** Log lines at WARN or ERROR (JSON or plain format). */
  List<String> warnings() throws IOException {
    try (Stream<String> lines = Files.lines(log)) {
      return lines
          .filter(
              l ->
                  l.contains("\"level\":\"WARN\"")
                      || l.contains("\"level\":\"ERROR\"")
                      || l.matches("^\\S+ \\S+ (WARN|ERROR) .*"))
          .toList();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
