package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A Vision Transformer that maps images {@code [B, C, S, S]} to normalised tokens {@code [B, 1 +
 * (S/p)², width]}; token 0 is a learned CLS token, the others are the patches in row-major order.
 *
 * <p>Layout: a stride-{@code p} convolution as patch embedding, a learned position embedding
 * (covering the CLS token too), {@code depth} pre-norm {@link TransformerLayer}s and a final
 * LayerNorm, so the output is directly comparable with a teacher whose final norm is applied. There
 * is no dropout or stochastic depth: the output depends only on weights and input.
 *
 * <p>All LayerNorms use ε = {@value #LAYER_NORM_EPS}, as in the common ViT recipes the teachers
 * come from. Initialisation: Linear weights, the CLS token and the position embedding are drawn
 * from a normal with σ = 0.02 truncated at ±2σ; the patch-embedding kernel is LeCun-normal (σ =
 * 1/√(C·p²)) so patch tokens start at roughly unit scale whatever the patch size; biases are 0,
 * LayerNorm scales 1 and shifts 0.
 */
public final class VisionTransformerBlock extends AbstractBlock {

  /** LayerNorm ε for every norm in the network. */
  public static final float LAYER_NORM_EPS = 1e-6f;

  private static final byte VERSION = 1;
  private static final float INIT_STD = 0.02f;

  private final int patchSize;
  private final int width;
  private final Parameter classToken;
  private final Parameter positionEmbedding;
  private final Conv2d patchEmbedding;
  private final List<TransformerLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;

  /**
   * Builds an uninitialised ViT; the token count is fixed when it is initialised for an input
   * shape.
   */
  public VisionTransformerBlock(int patchSize, int width, int depth, int heads, int mlpRatio) {
    super(VERSION);
    this.patchSize = patchSize;
    this.width = width;
    Initializer tokenInit = new TruncatedNormalInitializer(INIT_STD);
    this.classToken =
        addParameter(
            Parameter.builder()
                .setName("cls_token")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(tokenInit)
                .build());
    this.positionEmbedding =
        addParameter(
            Parameter.builder()
                .setName("pos_embed")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(tokenInit)
                .build());
    this.patchEmbedding =
        addChildBlock(
            "patch_embed",
            Conv2d.builder()
                .setKernelShape(new Shape(patchSize, patchSize))
                .optStride(new Shape(patchSize, patchSize))
                .setFilters(width)
                .build());
    for (int i = 0; i < depth; i++) {
      layers.add(addChildBlock("block", new TransformerLayer(width, heads, mlpRatio)));
    }
    this.finalNorm = addChildBlock("norm", newLayerNorm());

    for (TransformerLayer layer : layers) {
      layer.setInitializer(new TruncatedNormalInitializer(INIT_STD), Parameter.Type.WEIGHT);
    }
    patchEmbedding.setInitializer(
        new XavierInitializer(
            XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 1),
        Parameter.Type.WEIGHT);
  }

  /** A LayerNorm over the last axis of {@code [B, T, D]} tokens. */
  static LayerNorm newLayerNorm() {
    return LayerNorm.builder().axis(2).optEpsilon(LAYER_NORM_EPS).build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray images = inputs.singletonOrThrow();
    NDArray grid = patchEmbedding.forward(parameterStore, inputs, training).singletonOrThrow();
    long batch = grid.getShape().get(0);
    NDArray patches = grid.reshape(batch, width, -1).swapAxes(1, 2); // [B, N, D]
    NDArray position = parameterStore.getValue(positionEmbedding, images.getDevice(), training);
    if (patches.getShape().get(1) + 1 != position.getShape().get(1)) {
      throw new IllegalArgumentException(
          "input "
              + images.getShape()
              + " gives "
              + patches.getShape().get(1)
              + " patches but this ViT was built for "
              + (position.getShape().get(1) - 1));
    }
    NDArray cls = parameterStore.getValue(classToken, images.getDevice(), training);
    // Results belong to the manager of the array an op is called on. Broadcasting the parameter
    // itself would put the CLS tokens, and everything computed from them, in the parameters'
    // manager, which lives for the whole run; adding to batch-owned zeros keeps them per batch.
    NDArray clsTokens =
        patches
            .getManager()
            .zeros(new Shape(batch, 1, width), patches.getDataType(), patches.getDevice())
            .add(cls);
    NDArray tokens = clsTokens.concat(patches, 1).add(position);
    NDList x = new NDList(tokens);
    for (TransformerLayer layer : layers) {
      x = layer.forward(parameterStore, x, training);
    }
    return finalNorm.forward(parameterStore, x, training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {tokenShape(inputShapes[0])};
  }

  private Shape tokenShape(Shape images) {
    long patches = (images.get(2) / patchSize) * (images.get(3) / patchSize);
    return new Shape(images.get(0), 1 + patches, width);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    Shape tokens = tokenShape(inputShapes[0]);
    classToken.setShape(new Shape(1, 1, width));
    positionEmbedding.setShape(new Shape(1, tokens.get(1), width));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    patchEmbedding.initialize(manager, dataType, inputShapes[0]);
    Shape tokens = tokenShape(inputShapes[0]);
    for (TransformerLayer layer : layers) {
      layer.initialize(manager, dataType, tokens);
    }
    finalNorm.initialize(manager, dataType, tokens);
  }
}
