package io.cospress.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import org.junit.jupiter.api.Test;

class TrainerLabelsTest {

  @Test
  void runLabelOfAnOverlongRunNameIsAValidLabelValue() {
    String name = "distil-" + "v".repeat(120);

    String value = TrainerLabels.forRun(TestRuns.run(name)).get(CosPressConstants.LABEL_RUN);

    assertThat(value)
        .hasSizeLessThanOrEqualTo(63)
        .startsWith("distil-v")
        .isEqualTo(TrainerLabels.runLabelValue(TestRuns.run(name)));
  }
}
