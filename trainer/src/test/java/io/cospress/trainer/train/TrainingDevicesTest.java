package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.cospress.trainer.config.Precision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingDevicesTest {

  @Test
  void cpuRunTrainsOnOneDeviceWhateverGpusSays() {
    assertThat(TrainingDevices.of(Device.cpu(), 4)).containsExactly(Device.cpu());
  }

  @Test
  void gpuRunNeverAsksForMoreGpusThanItSeesAndAtLeastOne() {
    int visible = ai.djl.engine.Engine.getInstance().getGpuCount();
    List<Device> devices = TrainingDevices.of(Device.gpu(), 8);
    assertThat(devices).hasSize(Math.max(1, Math.min(8, visible))).first().isEqualTo(Device.gpu(0));
  }

  @Test
  void logNamesAMissingTf32SwitchAndAnFp32RunWithTf32On() {
    String env = Precision.TF32_ENVIRONMENT;
    List<Device> one = List.of(Device.gpu(0));
    assertThat(TrainingDevices.describe(Device.gpu(), one, Precision.TF32, Map.of()))
        .hasValueSatisfying(line -> assertThat(line).contains(env + "=1"));
    assertThat(TrainingDevices.describe(Device.gpu(), one, Precision.TF32, Map.of(env, "1")))
        .isEmpty();
    assertThat(TrainingDevices.describe(Device.gpu(), one, Precision.FP32, Map.of(env, "1")))
        .hasValueSatisfying(line -> assertThat(line).contains("lets matrix products use TF32"));
    assertThat(
            TrainingDevices.describe(Device.cpu(), List.of(Device.cpu()), Precision.TF32, Map.of()))
        .as("tf32 is plain fp32 on a CPU: nothing to say")
        .isEmpty();
    assertThat(
            TrainingDevices.describe(
                Device.gpu(), List.of(Device.gpu(0), Device.gpu(1)), Precision.BF16, Map.of()))
        .hasValueSatisfying(line -> assertThat(line).contains("data-parallel on 2 devices"));
  }
}
