package io.cospress.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with the float64 reference fixtures of docs/objective.md, made by
 * tools/cospress_loss_reference.py (see the fixtures' README).
 */
class CosPressLossFixtureTest {

  private static final double RELATIVE = 1e-4;
  private static final double ABSOLUTE = 1e-6;

  /** The committed fixtures, as the test classpath holds them. */
  static Path fixtures() {
    try {
      return Path.of(CosPressLossFixtureTest.class.getResource("/fixtures/cospress-loss").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<String> cases() {
    return Stream.of("small", "vit-like");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void eachTermMatchesTheReferenceWithinRelativeTolerance(String name) throws Exception {
    JsonNode expected =
        new ObjectMapper().readTree(fixtures().resolve(name + ".expected.json").toFile());
    LossValues actual = LossProbe.evaluate(fixtures().resolve(name + ".npz")).terms();

    assertClose("local", expected.get("local").asDouble(), actual.local());
    assertClose("global", expected.get("global").asDouble(), actual.global());
    assertClose("feature", expected.get("feature").asDouble(), actual.feature());
    assertClose("token", expected.get("token").asDouble(), actual.token());
    assertClose("total", expected.get("total").asDouble(), actual.total());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void gradientsOfHeadAndStudentMatchTheReference(String name) throws Exception {
    LossProbe.Result result = LossProbe.evaluate(fixtures().resolve(name + ".npz"));
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(fixtures().resolve(name + ".expected.npz"))) {
      NDList expected = NDList.decode(manager, in);
      assertThat(result.gradients()).hasSize(5);
      for (var entry : result.gradients().entrySet()) {
        NDArray reference = expected.get(entry.getKey());
        assertThat(reference).as(entry.getKey()).isNotNull();
        float[] want = reference.toFloatArray();
        float[] got = entry.getValue();
        assertEquals(want.length, got.length, entry.getKey());
        for (int i = 0; i < want.length; i++) {
          double tolerance = Math.max(RELATIVE * Math.abs(want[i]), ABSOLUTE);
          assertThat((double) got[i])
              .as("%s[%d]", entry.getKey(), i)
              .isCloseTo(want[i], org.assertj.core.data.Offset.offset(tolerance));
        }
      }
    }
  }

  private static void assertClose(String term, double expected, double actual) {
    double tolerance = Math.max(RELATIVE * Math.abs(expected), ABSOLUTE);
    assertThat(actual).as(term).isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
  }
}
