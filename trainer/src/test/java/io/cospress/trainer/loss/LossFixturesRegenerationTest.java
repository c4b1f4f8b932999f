package io.cospress.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The committed loss fixtures are exactly what the reference script makes: it regenerates them and
 * compares, so neither the script nor a fixture can change alone. Needs Debian's python3-torch and
 * python3-numpy (hack/test.sh installs them); {@code -Dcospress.python} picks the interpreter.
 */
class LossFixturesRegenerationTest {

  private static final Path REPOSITORY =
      Path.of(System.getProperty("cospress.repository", "..")).toAbsolutePath().normalize();

  @Test
  void committedFixturesMatchWhatTheReferenceScriptGeneratesNow() throws Exception {
    Path python = Path.of(System.getProperty("cospress.python", "/usr/bin/python3"));
    assertThat(Files.isExecutable(python))
        .as(python + " missing: install python3-torch and python3-numpy (hack/test.sh does)")
        .isTrue();
    Path script = REPOSITORY.resolve("tools/cospress_loss_reference.py");
    Path fixtures = REPOSITORY.resolve("trainer/src/test/resources/fixtures/cospress-loss");

    Process process =
        new ProcessBuilder(python.toString(), script.toString(), "check", fixtures.toString())
            .redirectErrorStream(true)
            .start();
    String output = read(process);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("reference script finished").isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("2 cases match their regeneration");
  }

  private static String read(Process process) throws IOException {
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
