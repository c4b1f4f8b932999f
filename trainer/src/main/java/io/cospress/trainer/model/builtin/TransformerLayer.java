package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-norm transformer layer: {@code x + attention(norm(x))}, then {@code x + mlp(norm(x))} with
 * a GELU MLP of hidden width {@code width * mlpRatio}. Pre-norm keeps deep stacks trainable from
 * scratch without learning-rate warm-up tricks beyond the trainer's schedule.
 */
final class TransformerLayer extends AbstractBlock {

  private final LayerNorm attentionNorm;
  private final MultiHeadSelfAttention attention;
  private final LayerNorm mlpNorm;
  private final Linear mlpHidden;
  private final Linear mlpOutput;

  TransformerLayer(int width, int heads, int mlpRatio) {
    this.attentionNorm = addChildBlock("norm1", VisionTransformerBlock.newLayerNorm());
    this.attention = addChildBlock("attn", new MultiHeadSelfAttention(width, heads));
    this.mlpNorm = addChildBlock("norm2", VisionTransformerBlock.newLayerNorm());
    this.mlpHidden =
        addChildBlock("fc1", Linear.builder().setUnits((long) width * mlpRatio).build());
    this.mlpOutput = addChildBlock("fc2", Linear.builder().setUnits(width).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDList normed = attentionNorm.forward(parameterStore, new NDList(x), training);
    x = x.add(attention.forward(parameterStore, normed, training).singletonOrThrow());
    normed = mlpNorm.forward(parameterStore, new NDList(x), training);
    NDArray hidden =
        Activation.gelu(mlpHidden.forward(parameterStore, normed, training).singletonOrThrow());
    NDArray update = mlpOutput.forward(parameterStore, new NDList(hidden), training).head();
    return new NDList(x.add(update));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape tokens = inputShapes[0];
    attentionNorm.initialize(manager, dataType, tokens);
    attention.initialize(manager, dataType, tokens);
    mlpNorm.initialize(manager, dataType, tokens);
    mlpHidden.initialize(manager, dataType, tokens);
    mlpOutput.initialize(manager, dataType, mlpHidden.getOutputShapes(new Shape[] {tokens})[0]);
  }
}
