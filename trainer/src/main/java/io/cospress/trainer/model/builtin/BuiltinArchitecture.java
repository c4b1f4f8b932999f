package io.cospress.trainer.model.builtin;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import io.cospress.trainer.config.ArchitectureConfig;

/**
 * A manifest architecture with its defaults filled in and checked against the dataset's image
 * geometry, so that every block built from it is known to fit the images it will see.
 */
record BuiltinArchitecture(
    ArchitectureConfig.Family type,
    int channels,
    int imageSize,
    int patchSize,
    int width,
    int depth,
    int heads,
    int mlpRatio,
    int outputDim) {

  private static final String FIELD = "spec.student.architecture.";

  /**
   * Resolves and validates a manifest architecture.
   *
   * @throws IllegalArgumentException naming the offending manifest field
   */
  static BuiltinArchitecture resolve(ArchitectureConfig spec, int channels, int imageSize) {
    if (spec == null) {
      throw new IllegalArgumentException(FIELD + "type: required (vit or resnet)");
    }
    if (channels < 1) {
      throw new IllegalArgumentException("spec.dataset.channels: must be >= 1, got " + channels);
    }
    if (imageSize < 1) {
      throw new IllegalArgumentException("spec.dataset.imageSize: must be >= 1, got " + imageSize);
    }
    int width = positive(spec.width(), "width");
    int depth = positive(spec.depth(), "depth");
    if (spec.family() == ArchitectureConfig.Family.RESNET) {
      int outputDim =
          spec.outputDim() == null
              ? ResNetBlock.lastStageWidth(width)
              : positive(spec.outputDim(), "outputDim");
      return new BuiltinArchitecture(
          spec.family(), channels, imageSize, 0, width, depth, 0, 0, outputDim);
    }
    int patchSize = positive(spec.patchSize(), "patchSize");
    int heads = positive(spec.heads(), "heads");
    int mlpRatio = positive(spec.mlpRatio(), "mlpRatio");
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          FIELD + "patchSize: image size " + imageSize + " is not a multiple of " + patchSize);
    }
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          FIELD + "width: " + width + " is not divisible by architecture.heads " + heads);
    }
    return new BuiltinArchitecture(
        spec.family(), channels, imageSize, patchSize, width, depth, heads, mlpRatio, width);
  }

  private static int positive(Integer value, String field) {
    if (value == null || value < 1) {
      throw new IllegalArgumentException(FIELD + field + ": must be >= 1, got " + value);
    }
    return value;
  }

  /** A new, uninitialised block of this architecture. */
  AbstractBlock newBlock() {
    return switch (type) {
      case VIT -> new VisionTransformerBlock(patchSize, width, depth, heads, mlpRatio);
      case RESNET -> new ResNetBlock(width, depth, outputDim);
    };
  }

  /** The shape the block is initialised for; the batch axis is free at run time. */
  Shape inputShape(long batchSize) {
    return new Shape(batchSize, channels, imageSize, imageSize);
  }
}
