package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The two-convolution residual unit of ResNet-18/34: {@code relu(bn(conv3x3(relu(bn(conv3x3(x)))))
 * + shortcut(x))}. The shortcut is the identity, or a strided 1×1 convolution with BatchNorm when
 * the unit changes resolution or width.
 */
final class BasicResidualBlock extends AbstractBlock {

  private final Conv2d firstConv;
  private final BatchNorm firstNorm;
  private final Conv2d secondConv;
  private final BatchNorm secondNorm;
  private final Conv2d shortcutConv;
  private final BatchNorm shortcutNorm;

  BasicResidualBlock(int inChannels, int outChannels, int stride) {
    this.firstConv = addChildBlock("conv1", conv(outChannels, 3, stride));
    this.firstNorm = addChildBlock("bn1", batchNorm());
    this.secondConv = addChildBlock("conv2", conv(outChannels, 3, 1));
    this.secondNorm = addChildBlock("bn2", batchNorm());
    if (stride != 1 || inChannels != outChannels) {
      this.shortcutConv = addChildBlock("downsample_conv", conv(outChannels, 1, stride));
      this.shortcutNorm = addChildBlock("downsample_bn", batchNorm());
    } else {
      this.shortcutConv = null;
      this.shortcutNorm = null;
    }
  }

  /** A bias-free square convolution padded to keep the size at stride 1 (BatchNorm follows). */
  static Conv2d conv(int filters, int kernel, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .setFilters(filters)
        .optBias(false)
        .build();
  }

  static BatchNorm batchNorm() {
    return BatchNorm.builder().build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray y = apply(firstConv, parameterStore, x, training);
    y = Activation.relu(apply(firstNorm, parameterStore, y, training));
    y = apply(secondNorm, parameterStore, apply(secondConv, parameterStore, y, training), training);
    NDArray shortcut = x;
    if (shortcutConv != null) {
      shortcut = apply(shortcutConv, parameterStore, x, training);
      shortcut = apply(shortcutNorm, parameterStore, shortcut, training);
    }
    return new NDList(Activation.relu(y.add(shortcut)));
  }

  static NDArray apply(Block block, ParameterStore store, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return secondConv.getOutputShapes(firstConv.getOutputShapes(inputShapes));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape input = inputShapes[0];
    firstConv.initialize(manager, dataType, input);
    Shape hidden = firstConv.getOutputShapes(new Shape[] {input})[0];
    firstNorm.initialize(manager, dataType, hidden);
    secondConv.initialize(manager, dataType, hidden);
    secondNorm.initialize(manager, dataType, hidden);
    if (shortcutConv != null) {
      shortcutConv.initialize(manager, dataType, input);
      shortcutNorm.initialize(manager, dataType, hidden);
    }
  }
}
