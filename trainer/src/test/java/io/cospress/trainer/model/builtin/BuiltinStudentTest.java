package io.cospress.trainer.model.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.cospress.trainer.config.ArchitectureConfig;
import io.cospress.trainer.config.ArchitectureConfig.Family;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.TrainableParameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltinStudentTest {

  private static final int CHANNELS = 1;
  private static final int VIT_IMAGE = 28;
  private static final int RESNET_IMAGE = 16;

  private NDManager manager;

  @BeforeEach
  void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  /** Patch 4 on 28 px gives a 7×7 grid: 49 patch tokens plus CLS. */
  static ArchitectureConfig vit() {
    return vit(4, 32, 2, 2);
  }

  static ArchitectureConfig vit(int patchSize, int width, int depth, int heads) {
    return new ArchitectureConfig(Family.VIT, patchSize, width, depth, heads, 2, null);
  }

  static ArchitectureConfig resnet(Integer outputDim) {
    return resnet(1, outputDim);
  }

  static ArchitectureConfig resnet(int depth, Integer outputDim) {
    // patchSize, heads and mlpRatio as the schema defaults them; a ResNet ignores them
    return new ArchitectureConfig(Family.RESNET, 16, 8, depth, 3, 4, outputDim);
  }

  static Stream<Arguments> architectures() {
    return Stream.of(
        Arguments.of("vit", vit(), VIT_IMAGE), Arguments.of("resnet", resnet(24), RESNET_IMAGE));
  }

  private NDArray images(NDManager scope, int batch, int size, int seed) {
    scope.getEngine().setRandomSeed(seed);
    return scope.randomNormal(new Shape(batch, CHANNELS, size, size));
  }

  @Test
  void vitGivesClsPlusOneNormalisedTokenPerPatch() {
    try (BuiltinStudent student = BuiltinStudent.create(manager, vit(), CHANNELS, VIT_IMAGE, 1);
        NDManager batch = manager.newSubManager()) {
      NDArray tokens = student.forward(images(batch, 3, VIT_IMAGE, 5), true);

      assertThat(tokens.getShape()).isEqualTo(new Shape(3, 50, 32));
      assertThat(student.outputShape(3)).isEqualTo(tokens.getShape());
      // A final LayerNorm with its initial scale 1 and shift 0 leaves every token centred with
      // unit variance; without it the tokens would carry the residual stream's scale.
      float[] means = tokens.mean(new int[] {2}).toFloatArray();
      NDArray centred = tokens.sub(tokens.mean(new int[] {2}, true));
      float[] variances = centred.square().mean(new int[] {2}).toFloatArray();
      for (int i = 0; i < means.length; i++) {
        assertThat(means[i]).isBetween(-1e-4f, 1e-4f);
        assertThat(variances[i]).isBetween(0.99f, 1.01f);
      }
    }
  }

  @Test
  void resnetGivesOnePooledEmbeddingPerImage() {
    try (BuiltinStudent student =
            BuiltinStudent.create(manager, resnet(24), CHANNELS, RESNET_IMAGE, 1);
        NDManager batch = manager.newSubManager()) {
      NDArray embeddings = student.forward(images(batch, 3, RESNET_IMAGE, 5), true);

      assertThat(embeddings.getShape()).isEqualTo(new Shape(3, 24));
      assertThat(student.outputShape(3)).isEqualTo(embeddings.getShape());
    }
  }

  @Test
  void resnetOutputWidthDefaultsToTheLastStageWidth() {
    try (BuiltinStudent student =
            BuiltinStudent.create(manager, resnet(null), CHANNELS, RESNET_IMAGE, 1);
        NDManager batch = manager.newSubManager()) {
      NDArray embeddings = student.forward(images(batch, 2, RESNET_IMAGE, 5), false);

      assertThat(embeddings.getShape()).isEqualTo(new Shape(2, 8 * 8));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void everyTrainableParameterReceivesAGradient(String name, ArchitectureConfig spec, int size) {
    try (BuiltinStudent student = BuiltinStudent.create(manager, spec, CHANNELS, size, 3);
        NDManager batch = manager.newSubManager()) {
      NDArray input = images(batch, 4, size, 9);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(student.forward(input, true).square().sum());
      }

      List<String> withoutGradient = new ArrayList<>();
      for (TrainableParameter p : student.parameters()) {
        NDArray gradient = p.array().getGradient();
        gradient.attach(batch);
        if (gradient.abs().sum().getFloat() == 0f) {
          withoutGradient.add(p.name());
        }
      }
      assertThat(student.parameters()).isNotEmpty();
      assertThat(withoutGradient).isEmpty();
    }
  }

  @Test
  void parametersAreNamedUniquelyUnderStudentAndExcludeRunningStatistics() {
    try (BuiltinStudent student =
        BuiltinStudent.create(manager, resnet(24), CHANNELS, RESNET_IMAGE, 1)) {
      List<String> names = student.parameters().stream().map(TrainableParameter::name).toList();

      assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.startsWith("student."));
      assertThat(names).noneMatch(n -> n.contains("running"));
      assertThat(names).anyMatch(n -> n.endsWith("gamma")).anyMatch(n -> n.endsWith("weight"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void plainSgdOnAToyObjectiveReducesTheLoss(String name, ArchitectureConfig spec, int size) {
    try (BuiltinStudent student = BuiltinStudent.create(manager, spec, CHANNELS, size, 11);
        NDManager fixed = manager.newSubManager()) {
      NDArray input = images(fixed, 8, size, 12);
      NDArray target = fixed.randomNormal(new Shape(8, outputDim(student)));

      float first = sgdStep(student, input, target, 0.02f);
      float last = first;
      for (int step = 0; step < 10; step++) {
        last = sgdStep(student, input, target, 0.02f);
      }

      assertThat(last).isLessThan(0.8f * first);
    }
  }

  private static long outputDim(BuiltinStudent student) {
    Shape shape = student.outputShape(1);
    return shape.get(shape.dimension() - 1);
  }

  /**
   * One step of plain SGD on the squared distance between the first output token (the embedding for
   * a pooled output) and a per-image target.
   */
  private static float sgdStep(
      BuiltinStudent student, NDArray input, NDArray target, float learningRate) {
    try (NDManager step = input.getManager().newSubManager()) {
      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray output = student.forward(input, true);
        NDArray first =
            output.getShape().dimension() == 3 ? output.get(new NDIndex(":, 0, :")) : output;
        NDArray value = first.sub(target).square().sum(new int[] {1}).mean();
        value.attach(step);
        collector.backward(value);
        loss = value.getFloat();
      }
      for (TrainableParameter p : student.parameters()) {
        NDArray gradient = p.array().getGradient();
        gradient.attach(step);
        p.array().subi(gradient.mul(learningRate));
        gradient.subi(gradient); // gradients accumulate across backward passes in DJL
      }
      return loss;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void savedWeightsReloadToIdenticalOutputs(
      String name, ArchitectureConfig spec, int size, @TempDir Path directory) throws Exception {
    try (BuiltinStudent original = BuiltinStudent.create(manager, spec, CHANNELS, size, 21);
        NDManager batch = manager.newSubManager()) {
      NDArray input = images(batch, 4, size, 22);
      // A training step moves weights and BatchNorm running statistics away from their initial
      // values, so the comparison also covers state that is not a trainable parameter.
      sgdStep(original, input, batch.randomNormal(new Shape(4, outputDim(original))), 0.05f);
      original.save(directory);
      assertThat(directory.resolve(original.fileName())).isRegularFile();
      assertThat(original.fileName()).isEqualTo("student.params");
      try (Stream<Path> files = Files.list(directory)) {
        assertThat(files).containsExactly(directory.resolve("student.params"));
      }

      try (BuiltinStudent restored =
          BuiltinStudent.load(
              manager, spec, CHANNELS, size, directory.resolve(BuiltinStudent.FILE_NAME))) {
        assertThat(restored.forward(input, false).toFloatArray())
            .containsExactly(original.forward(input, false).toFloatArray());
        assertThat(restored.parameters()).hasSameSizeAs(original.parameters());
        assertThat(restored.parameters()).allMatch(p -> p.array().hasGradient());
      }
    }
  }

  @Test
  void loadingWeightsOfAnotherArchitectureIsRejected(@TempDir Path directory) throws Exception {
    try (BuiltinStudent student = BuiltinStudent.create(manager, vit(), CHANNELS, VIT_IMAGE, 1)) {
      student.save(directory);
    }
    ArchitectureConfig wider = vit(4, 64, 2, 2);
    ArchitectureConfig deeper = vit(4, 32, 3, 2);
    ArchitectureConfig shallower = vit(4, 32, 1, 2);
    Path file = directory.resolve(BuiltinStudent.FILE_NAME);

    for (ArchitectureConfig other : List.of(wider, deeper, shallower, resnet(24))) {
      assertThatThrownBy(() -> BuiltinStudent.load(manager, other, CHANNELS, VIT_IMAGE, file))
          .isInstanceOf(ModelInputException.class)
          .hasMessageContaining("spec.student.architecture");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void sameSeedGivesSameInitialOutputsAndAnotherSeedDoesNot(
      String name, ArchitectureConfig spec, int size) {
    try (BuiltinStudent first = BuiltinStudent.create(manager, spec, CHANNELS, size, 42);
        BuiltinStudent again = BuiltinStudent.create(manager, spec, CHANNELS, size, 42);
        BuiltinStudent other = BuiltinStudent.create(manager, spec, CHANNELS, size, 43);
        NDManager batch = manager.newSubManager()) {
      NDArray input = images(batch, 2, size, 7);
      float[] expected = first.forward(input, false).toFloatArray();

      assertThat(again.forward(input, false).toFloatArray()).containsExactly(expected);
      assertThat(other.forward(input, false).toFloatArray()).isNotEqualTo(expected);
    }
  }

  @Test
  void resnetInferenceUsesRunningStatisticsAndTrainingUsesTheBatch() {
    try (BuiltinStudent student =
            BuiltinStudent.create(manager, resnet(24), CHANNELS, RESNET_IMAGE, 1);
        NDManager batch = manager.newSubManager()) {
      NDArray pair = images(batch, 2, RESNET_IMAGE, 3);
      NDArray single = pair.get(new NDIndex("0:1"));

      // Running statistics do not depend on the batch, so image 0 gives the same embedding alone.
      assertThat(student.forward(single, false).toFloatArray())
          .containsExactly(student.forward(pair, false).get(0).toFloatArray(), within(1e-5f));
      NDArray inferenceBefore = student.forward(pair, false);
      NDArray trained = student.forward(pair, true);
      assertThat(trained.toFloatArray()).isNotEqualTo(inferenceBefore.toFloatArray());
      // The training pass updated the running statistics, which inference now reflects.
      assertThat(student.forward(pair, false).toFloatArray())
          .isNotEqualTo(inferenceBefore.toFloatArray());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void trainingStepsLeaveNoArraysInTheStudentsManager(
      String name, ArchitectureConfig spec, int size) {
    try (NDManager owner = manager.newSubManager();
        BuiltinStudent student = BuiltinStudent.create(owner, spec, CHANNELS, size, 1)) {
      int before = owner.getManagedArrays().size();
      try (NDManager batch = manager.newSubManager()) {
        NDArray input = images(batch, 2, size, 2);
        for (int i = 0; i < 3; i++) {
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(student.forward(input, true).square().sum());
          }
          student.forward(input, false);
        }
      }

      assertThat(owner.getManagedArrays().size()).isEqualTo(before);
    }
  }

  @Test
  void imagesOfTheWrongShapeAreRejectedClearly() {
    try (BuiltinStudent student = BuiltinStudent.create(manager, vit(), CHANNELS, VIT_IMAGE, 1);
        NDManager batch = manager.newSubManager()) {
      NDArray wrongSize = batch.zeros(new Shape(1, CHANNELS, 32, 32));

      assertThatThrownBy(() -> student.forward(wrongSize, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[B,1,28,28]");
    }
  }

  @Test
  void imageSizeThatIsNotAMultipleOfThePatchSizeNamesPatchSize() {
    ArchitectureConfig spec = vit(16, 32, 2, 2);

    assertThatThrownBy(() -> BuiltinStudent.create(manager, spec, CHANNELS, 28, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.student.architecture.patchSize: image size 28 is not a multiple of 16");
  }

  @Test
  void widthNotDivisibleByHeadsNamesWidth() {
    ArchitectureConfig spec = vit(4, 32, 2, 3);

    assertThatThrownBy(() -> BuiltinStudent.create(manager, spec, CHANNELS, VIT_IMAGE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.student.architecture.width:")
        .hasMessageContaining("heads 3");
  }

  @Test
  void nonPositiveSizesNameTheirFields() {
    ArchitectureConfig noDepth = resnet(0, 24);
    ArchitectureConfig noWidth = vit(4, 0, 2, 2);

    assertThatThrownBy(() -> BuiltinStudent.create(manager, noWidth, CHANNELS, VIT_IMAGE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.student.architecture.width:");
    assertThatThrownBy(() -> BuiltinStudent.create(manager, noDepth, CHANNELS, RESNET_IMAGE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.student.architecture.depth:");
  }
}
