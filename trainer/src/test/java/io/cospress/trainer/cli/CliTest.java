package io.cospress.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  @TempDir Path work;

  private record Outcome(int exitCode, String out, String err) {}

  private static Outcome execute(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = CosPressTrainer.execute(args);
      return new Outcome(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void invalidManifestExitsWithTwoOneLinePerProblemAndWritesNothing() throws Exception {
    Path manifest = work.resolve("bad.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata: {name: bad}
        spec:
          teacher: {model: t.pt}
          student: {model: s.pt}
          dataset:
            format: idx
            train: {path: a.gz, labels: b.gz}
          training:
            epochs: -2
            batchSize: 1
            temperatures: []
            learningRate: 0.1
        """);
    Path output = work.resolve("out");

    Outcome outcome = execute("run", "-f", manifest.toString(), "--output", output.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().lines())
        .containsExactlyInAnyOrder(
            "error: spec.training.epochs: must be >= 1, got -2",
            "error: spec.training.batchSize: must be >= 2, got 1",
            "error: spec.training.temperatures: needs at least 1 item(s)",
            "error: spec.training.learningRate: unknown field");
    assertThat(Files.exists(output)).isFalse();
  }

  @Test
  void missingManifestIsAnInputError() {
    Outcome outcome = execute("run", "-f", work.resolve("nope.yaml").toString());
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err().strip())
        .startsWith("error: manifest: ")
        .endsWith("nope.yaml not found");
  }

  @Test
  void lossCommandPrintsTheFourTermsAndTotalAsJson() throws Exception {
    Path fixtures = Path.of(getClass().getResource("/fixtures/cospress-loss").toURI());
    Outcome outcome = execute("loss", fixtures.resolve("small.npz").toString());
    assertThat(outcome.exitCode()).isZero();
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var json = mapper.readTree(outcome.out());
    var expected = mapper.readTree(fixtures.resolve("small.expected.json").toFile());
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly("local", "global", "feature", "token", "total");
    for (String term : new String[] {"local", "global", "feature", "token", "total"}) {
      assertThat(json.get(term).asDouble())
          .as(term)
          .isCloseTo(
              expected.get(term).asDouble(),
              org.assertj.core.data.Offset.offset(1e-4 * expected.get(term).asDouble()));
    }
  }

  @Test
  void lossCommandOnAMissingFileIsAnInputError() {
    Outcome outcome = execute("loss", work.resolve("absent.npz").toString());
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("absent.npz");
  }

  @Test
  void helpAndVersionWork() {
    assertThat(execute("--help").out()).contains("run").contains("loss").contains("eval");
    assertThat(execute("--version").out()).contains("cospress-trainer");
  }

  @Test
  void unknownDeviceIsRejected() throws Exception {
    Path manifest = work.resolve("m.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata: {name: m}
        spec:
          teacher: {model: t.pt}
          student: {model: s.pt}
          dataset: {format: idx, train: {path: a.gz, labels: b.gz}}
        """);
    Outcome outcome = execute("run", "-f", manifest.toString(), "--device", "tpu");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--device");
  }
}
