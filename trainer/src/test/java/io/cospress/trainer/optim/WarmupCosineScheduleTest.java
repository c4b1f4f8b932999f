package io.cospress.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupCosineScheduleTest {

  private final WarmupCosineSchedule schedule = new WarmupCosineSchedule(1e-3, 1e-5, 10, 110);

  @Test
  void warmupRisesLinearlyToThePeak() {
    assertThat(schedule.rateAt(0)).isCloseTo(1e-4, within(1e-12));
    assertThat(schedule.rateAt(4)).isCloseTo(5e-4, within(1e-12));
    assertThat(schedule.rateAt(9)).isCloseTo(1e-3, within(1e-12));
  }

  @Test
  void cosineDecaysFromPeakThroughMidpointToTheFinalRate() {
    assertThat(schedule.rateAt(10)).isCloseTo(1e-3, within(1e-12));
    assertThat(schedule.rateAt(60)).isCloseTo((1e-3 + 1e-5) / 2, within(1e-12));
    assertThat(schedule.rateAt(110)).isCloseTo(1e-5, within(1e-12));
    assertThat(schedule.rateAt(500)).isCloseTo(1e-5, within(1e-12));
  }

  @Test
  void withoutWarmupTheFirstStepUsesThePeak() {
    assertThat(new WarmupCosineSchedule(0.1, 0, 0, 10).rateAt(0)).isCloseTo(0.1, within(1e-12));
  }
}
