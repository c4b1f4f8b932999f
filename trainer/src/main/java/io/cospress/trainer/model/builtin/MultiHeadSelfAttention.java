package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Scaled dot-product self-attention over tokens {@code [B, T, D]} with one fused query/key/value
 * projection and an output projection. No dropout, so a forward pass is a pure function of the
 * weights and the input.
 */
final class MultiHeadSelfAttention extends AbstractBlock {

  private final int width;
  private final int heads;
  private final Linear queryKeyValue;
  private final Linear output;

  MultiHeadSelfAttention(int width, int heads) {
    if (width % heads != 0) {
      throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
    }
    this.width = width;
    this.heads = heads;
    this.queryKeyValue = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
    this.output = addChildBlock("proj", Linear.builder().setUnits(width).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray tokens = inputs.singletonOrThrow();
    long batch = tokens.getShape().get(0);
    long count = tokens.getShape().get(1);
    NDArray qkv =
        queryKeyValue
            .forward(parameterStore, new NDList(tokens), training)
            .singletonOrThrow()
            .reshape(batch, count, 3, heads, width / heads)
            .transpose(2, 0, 3, 1, 4); // [3, B, heads, T, headDim]
    NDArray query = qkv.get(0);
    NDArray key = qkv.get(1);
    NDArray value = qkv.get(2);
    float scale = (float) (1.0 / Math.sqrt(width / (double) heads));
    NDArray weights = query.mul(scale).matMul(key.swapAxes(2, 3)).softmax(-1);
    NDArray mixed =
        weights.matMul(value).transpose(0, 2, 1, 3).reshape(batch, count, width); // [B, T, D]
    return output.forward(parameterStore, new NDList(mixed), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    queryKeyValue.initialize(manager, dataType, inputShapes[0]);
    output.initialize(manager, dataType, inputShapes[0]);
  }
}
