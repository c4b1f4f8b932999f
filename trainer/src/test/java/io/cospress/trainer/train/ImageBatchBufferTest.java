package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ImageBatchBufferTest {

  @Test
  void eachTensorHoldsItsOwnBatchAlthoughTheBufferIsReused() {
    ImageBatchBuffer buffer = new ImageBatchBuffer();
    try (NDManager manager = NDManager.newBaseManager()) {
      float[] first = {1, 2, 3, 4, 5, 6};
      float[] second = {-1, -2, -3, -4, -5, -6};
      try (NDManager step = manager.newSubManager()) {
        NDArray a = buffer.tensor(step, first, new Shape(1, 1, 2, 3));
        assertThat(a.getShape()).isEqualTo(new Shape(1, 1, 2, 3));
        assertThat(a.toFloatArray()).containsExactly(first);
      }
      try (NDManager step = manager.newSubManager()) {
        NDArray b = buffer.tensor(step, second, new Shape(2, 3));
        assertThat(b.toFloatArray()).containsExactly(second);
      }
      float[] larger = new float[24];
      larger[23] = 7;
      try (NDManager step = manager.newSubManager()) {
        assertThat(buffer.tensor(step, larger, new Shape(24)).toFloatArray())
            .containsExactly(larger);
      }
    }
  }
}
