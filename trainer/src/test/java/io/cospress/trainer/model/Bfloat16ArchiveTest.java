package io.cospress.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class Bfloat16ArchiveTest {

  /** bf16 keeps 7 stored mantissa bits: rounding to nearest moves a value by at most 2^-8 of it. */
  private static final double BF16_RELATIVE = 1.0 / 256;

  static Path examples() {
    return Path.of(System.getProperty("cospress.examples", "../examples")).toAbsolutePath();
  }

  @Test
  void roundsToNearestEvenAndKeepsSpecialValues() {
    assertThat(Bfloat16Archive.bfloat16(1f)).isEqualTo((short) 0x3f80);
    // 1 + 2^-8 lies halfway between two bf16 values: ties go to the even one, 1.
    assertThat(Bfloat16Archive.bfloat16(1f + 1f / 256)).isEqualTo((short) 0x3f80);
    assertThat(Bfloat16Archive.bfloat16(1f + 3f / 256)).isEqualTo((short) 0x3f82);
    assertThat(Bfloat16Archive.bfloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xff80);
    assertThat(Float.isNaN(Float.intBitsToFloat(Bfloat16Archive.bfloat16(Float.NaN) << 16)))
        .isTrue();
  }

  @Test
  void convertedModelHoldsBfloat16WeightsThatRoundTheFloat32Ones() {
    Path file = examples().resolve("models/teacher-vit-fmnist.pt");
    try (TorchScriptModel fp32 = TorchScriptModel.load(file, "teacher", null, false, Device.cpu());
        TorchScriptModel bf16 =
            TorchScriptModel.loadBfloat16(file, "teacher", null, false, Device.cpu())) {
      var full = fp32.parameters("t.");
      var half = bf16.parameters("t.");
      assertThat(half).hasSameSizeAs(full).isNotEmpty();
      for (int i = 0; i < full.size(); i++) {
        NDArray a = full.get(i).array();
        NDArray b = half.get(i).array();
        // DJL reads libtorch's bfloat16 as UNKNOWN (see torch.Bfloat16): two bytes per value.
        assertThat(b.getDataType()).as(half.get(i).name()).isEqualTo(DataType.UNKNOWN);
        assertThat(half.get(i).name()).isEqualTo(full.get(i).name());
        float[] want = a.toFloatArray();
        float[] got = b.toType(DataType.FLOAT32, false).toFloatArray();
        for (int j = 0; j < want.length; j++) {
          assertThat((double) got[j])
              .isCloseTo(
                  want[j],
                  org.assertj.core.data.Offset.offset(BF16_RELATIVE * Math.abs(want[j]) + 1e-30));
        }
      }
      assertThat(bf16.computeType()).isEqualTo(DataType.BFLOAT16);
    }
  }

  @Test
  void bfloat16ForwardReturnsFloat32CloseToTheFloat32Forward() {
    Path file = examples().resolve("models/teacher-vit-fmnist.pt");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        TorchScriptModel fp32 = TorchScriptModel.load(file, "teacher", null, false, Device.cpu());
        TorchScriptModel bf16 =
            TorchScriptModel.loadBfloat16(file, "teacher", null, false, Device.cpu())) {
      manager.getEngine().setRandomSeed(7);
      NDArray images = manager.randomNormal(new Shape(4, 1, 28, 28));
      NDArray want = fp32.forwardFrozen(images);
      NDArray got = bf16.forwardFrozen(images);
      assertThat(got.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(got.getShape()).isEqualTo(want.getShape());
      double relative = got.sub(want).norm().getFloat() / (double) want.norm().getFloat();
      // A few bf16 layers in sequence: errors of some 2^-8 each add up to about a percent.
      assertThat(relative).isLessThan(0.03).isGreaterThan(0);
    }
  }
}
