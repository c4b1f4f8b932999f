package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A small ResNet mapping images {@code [B, C, S, S]} to pooled embeddings {@code [B, outputDim]}.
 *
 * <p>Layout: a 3×3 stride-1 stem (no max-pool, which suits 28–64 px images), {@value #STAGES}
 * stages of {@code depth} {@link BasicResidualBlock}s with widths {@code width·2^i} (every stage
 * after the first halves the resolution), global average pooling and a Linear projection to {@code
 * outputDim}. With {@code depth = 2} this is the ResNet-18 layout.
 *
 * <p>BatchNorm (ε = 1e-5, PyTorch momentum 0.1) normalises with batch statistics and updates its
 * running statistics when {@code training} is true, and uses the running statistics otherwise.
 * Initialisation follows torchvision: convolutions Kaiming-normal over fan-out, BatchNorm scale 1
 * and shift 0; the projection is LeCun-normal (σ = 1/√fan-in) with zero bias so the embedding
 * starts at the scale of the pooled features.
 */
public final class ResNetBlock extends AbstractBlock {

  /** Number of resolution stages. */
  public static final int STAGES = 4;

  private static final byte VERSION = 1;

  private final Conv2d stemConv;
  private final BatchNorm stemNorm;
  private final List<BasicResidualBlock> units = new ArrayList<>();
  private final Linear projection;

  /**
   * Builds an uninitialised ResNet.
   *
   * @param width channels of the first stage
   * @param depth residual blocks per stage
   * @param outputDim width of the output embedding
   */
  public ResNetBlock(int width, int depth, int outputDim) {
    super(VERSION);
    this.stemConv = addChildBlock("stem_conv", BasicResidualBlock.conv(width, 3, 1));
    this.stemNorm = addChildBlock("stem_bn", BasicResidualBlock.batchNorm());
    int channels = width;
    for (int stage = 0; stage < STAGES; stage++) {
      int stageWidth = width << stage;
      for (int i = 0; i < depth; i++) {
        int stride = stage > 0 && i == 0 ? 2 : 1;
        units.add(addChildBlock("layer", new BasicResidualBlock(channels, stageWidth, stride)));
        channels = stageWidth;
      }
    }
    this.projection = addChildBlock("fc", Linear.builder().setUnits(outputDim).build());

    for (BasicResidualBlock unit : units) {
      unit.setInitializer(kaimingFanOut(), Parameter.Type.WEIGHT);
    }
    stemConv.setInitializer(kaimingFanOut(), Parameter.Type.WEIGHT);
    projection.setInitializer(
        new XavierInitializer(
            XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 1),
        Parameter.Type.WEIGHT);
  }

  /** Channels of the last stage, the default output width. */
  public static int lastStageWidth(int width) {
    return width << (STAGES - 1);
  }

  private static XavierInitializer kaimingFanOut() {
    return new XavierInitializer(
        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = BasicResidualBlock.apply(stemConv, parameterStore, inputs.head(), training);
    x = Activation.relu(BasicResidualBlock.apply(stemNorm, parameterStore, x, training));
    for (BasicResidualBlock unit : units) {
      x = BasicResidualBlock.apply(unit, parameterStore, x, training);
    }
    // The PyTorch engine reduces over one axis per call, so flatten the spatial grid first.
    Shape shape = x.getShape();
    NDArray pooled = x.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2});
    return projection.forward(parameterStore, new NDList(pooled), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return projection.getOutputShapes(new Shape[] {pooledShape(inputShapes[0])});
  }

  private Shape pooledShape(Shape images) {
    Shape[] shapes = stemConv.getOutputShapes(new Shape[] {images});
    for (BasicResidualBlock unit : units) {
      shapes = unit.getOutputShapes(shapes);
    }
    return new Shape(shapes[0].get(0), shapes[0].get(1));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    stemConv.initialize(manager, dataType, inputShapes[0]);
    Shape[] shapes = stemConv.getOutputShapes(inputShapes);
    stemNorm.initialize(manager, dataType, shapes);
    for (BasicResidualBlock unit : units) {
      unit.initialize(manager, dataType, shapes);
      shapes = unit.getOutputShapes(shapes);
    }
    projection.initialize(manager, dataType, pooledShape(inputShapes[0]));
  }
}
