package io.cospress.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A host command run to completion, with its output captured. */
public final class Command {

  /** How one command ended. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {

    /** This result, or an AssertionError naming the command and its output. */
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + exitCode + "\n" + stderr + stdout);
      }
      return this;
    }
  }

  private Command() {}

  public static Result run(List<String> command, String stdin, Duration timeout) {
    return run(command, stdin, timeout, Map.of());
  }

  public static Result run(
      List<String> command, String stdin, Duration timeout, Map<String, String> env) {
    try {
      Path out = Files.createTempFile("e2e-cmd", ".out");
      Path err = Files.createTempFile("e2e-cmd", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        if (stdin == null) {
          builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process = builder.start();
        if (stdin != null) {
          try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor();
          throw new AssertionError(
              String.join(" ", command)
                  + " did not finish within "
                  + timeout
                  + "\n"
                  + Files.readString(err)
                  + Files.readString(out));
        }
        return new Result(
            List.copyOf(command),
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  /** {@code hack/cluster.sh ARGS}: restarts, fake GPU nodes. */
  public static Result clusterScript(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", E2eConfig.clusterScript().toString()));
    command.addAll(List.of(args));
    return run(command, null, timeout);
  }
}
