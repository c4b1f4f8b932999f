package io.cospress.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.data.Batch;
import io.cospress.trainer.data.BatchLoader;
import io.cospress.trainer.data.ImageSource;
import io.cospress.trainer.data.TransformConfig;
import java.util.function.Function;

/** Global (CLS or pooled) embeddings of every image of a source, in index order. */
final class Embedder {

  private final NDManager parent;
  private final TransformConfig transform;
  private final int batchSize;
  private final int workers;
  private final ImageBatchBuffer buffer = new ImageBatchBuffer();

  Embedder(NDManager parent, TransformConfig transform, int batchSize, int workers) {
    this.parent = parent;
    this.transform = transform.withoutAugmentation();
    this.batchSize = batchSize;
    this.workers = workers;
  }

  float[][] embed(ImageSource source, Function<NDArray, NDArray> model) {
    float[][] out = new float[source.size()][];
    try (BatchLoader loader = BatchLoader.sequential(source, transform, batchSize, workers)) {
      int row = 0;
      for (Batch batch = loader.next(); batch != null; batch = loader.next()) {
        try (NDManager scope = parent.newSubManager()) {
          NDArray images =
              buffer.tensor(
                  scope,
                  batch.pixels(),
                  new Shape(
                      batch.size(),
                      transform.channels(),
                      transform.imageSize(),
                      transform.imageSize()));
          NDArray embedding = globalEmbedding(model.apply(images));
          float[] flat = embedding.toFloatArray();
          int dim = (int) embedding.getShape().get(1);
          for (int i = 0; i < batch.size(); i++) {
            float[] v = new float[dim];
            System.arraycopy(flat, i * dim, v, 0, dim);
            out[row++] = v;
          }
        }
      }
    }
    return out;
  }

  /** Token 0 of a token tensor, or the pooled embedding itself. */
  static NDArray globalEmbedding(NDArray output) {
    return output.getShape().dimension() == 3 ? output.get(":, 0, :") : output;
  }
}
