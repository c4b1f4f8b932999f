package io.cospress.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With {@code precision: bf16} the teacher and student hand the loss bfloat16 features, converted
 * to float32; the loss itself runs in float32. On the parity fixtures, features rounded to bfloat16
 * move every term by at most {@value #TERM_RELATIVE} of itself and the total by at most {@value
 * #TOTAL_RELATIVE} of itself, and every gradient element by at most {@value #GRADIENT_TOLERANCE} of
 * the largest gradient of its array. (Measured: the global term of the {@code small} fixture moves
 * most, 0.58 %, its temperature 0.01 magnifying cosine rounding a hundredfold; the totals 0.34 %
 * and 0.09 %.)
 */
class Bfloat16FeaturesLossTest {

  static final double TERM_RELATIVE = 0.01;
  static final double TOTAL_RELATIVE = 0.005;
  static final double GRADIENT_TOLERANCE = 0.05;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"small", "vit-like"})
  void bfloat16FeaturesKeepTermsAndGradientsWithinTolerance(String name) throws Exception {
    Path fixture = CosPressLossFixtureTest.fixtures().resolve(name + ".npz");
    LossProbe.Result full = LossProbe.evaluate(fixture);
    LossProbe.Result reduced = LossProbe.evaluate(withBfloat16Features(fixture));

    LossValues a = full.terms();
    LossValues b = reduced.terms();
    assertThat(b.local()).as("local").isCloseTo(a.local(), within(TERM_RELATIVE * a.local()));
    assertThat(b.global()).as("global").isCloseTo(a.global(), within(TERM_RELATIVE * a.global()));
    assertThat(b.feature())
        .as("feature")
        .isCloseTo(a.feature(), within(TERM_RELATIVE * a.feature()));
    assertThat(b.token()).as("token").isCloseTo(a.token(), within(TERM_RELATIVE * a.token()));
    assertThat(b.total()).as("total").isCloseTo(a.total(), within(TOTAL_RELATIVE * a.total()));
    // The rounding is real: a test that compared a path with itself could not fail.
    assertThat(b.total()).isNotEqualTo(a.total());

    for (var entry : full.gradients().entrySet()) {
      float[] want = entry.getValue();
      float[] got = reduced.gradients().get(entry.getKey());
      double scale = 0;
      for (float v : want) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < want.length; i++) {
        assertThat((double) got[i])
            .as("%s[%d]", entry.getKey(), i)
            .isCloseTo(want[i], within(GRADIENT_TOLERANCE * scale));
      }
    }
  }

  /** The fixture with teacher and student features rounded to bfloat16 (and back to float32). */
  private Path withBfloat16Features(Path fixture) throws Exception {
    Path out = dir.resolve(fixture.getFileName());
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(fixture)) {
      NDList arrays = NDList.decode(manager, in);
      NDList rounded = new NDList();
      for (NDArray array : arrays) {
        NDArray copy = array;
        if (array.getName().equals("teacher") || array.getName().equals("student")) {
          float[] values = array.toFloatArray();
          for (int i = 0; i < values.length; i++) {
            values[i] = roundToBfloat16(values[i]);
          }
          copy = manager.create(values, array.getShape());
        }
        copy.setName(array.getName());
        rounded.add(copy);
      }
      try (OutputStream os = Files.newOutputStream(out)) {
        rounded.encode(os, NDList.Encoding.NPZ);
      }
    }
    return out;
  }

  /** Round to nearest even at 8 significant bits, as libtorch's float → bfloat16 conversion. */
  static float roundToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(((bits + rounding) >>> 16) << 16);
  }
}
