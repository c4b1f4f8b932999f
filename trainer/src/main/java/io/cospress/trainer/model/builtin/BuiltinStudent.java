package io.cospress.trainer.model.builtin;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import io.cospress.trainer.config.ArchitectureConfig;
import io.cospress.trainer.model.ModelInputException;
import io.cospress.trainer.model.Student;
import io.cospress.trainer.model.TrainableParameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A student built from the manifest's {@code architecture} ({@link VisionTransformerBlock} or
 * {@link ResNetBlock}) and trained from scratch. Its weights are saved as DJL block parameters in
 * {@value #FILE_NAME}.
 *
 * <p>The student owns a sub-manager of the one it is created with; all parameter arrays live there
 * and are released by {@link #close()}. Arrays produced by {@link #forward} belong to the manager
 * of the input images, so per-batch managers bound the memory of a training loop.
 */
public final class BuiltinStudent implements Student {

  public static final String FILE_NAME = "student.params";

  private static final String PREFIX = "student.";

  private final NDManager manager;
  private final BuiltinArchitecture architecture;
  private final AbstractBlock block;
  private final ParameterStore parameterStore;
  private final List<TrainableParameter> parameters;

  private BuiltinStudent(NDManager manager, BuiltinArchitecture architecture, AbstractBlock block) {
    this.manager = manager;
    this.architecture = architecture;
    this.block = block;
    this.parameterStore = new ParameterStore(manager, false);
    List<TrainableParameter> list = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        NDArray array = p.getValue().getArray();
        // DJL does not mark arrays restored by loadParameters as needing gradients.
        array.setRequiresGradient(true);
        list.add(new TrainableParameter(PREFIX + p.getKey(), array));
      }
    }
    this.parameters = List.copyOf(list);
  }

  /**
   * A freshly initialised student; the same seed gives the same weights.
   *
   * @throws IllegalArgumentException if the architecture does not fit the images, naming the
   *     manifest field
   */
  public static BuiltinStudent create(
      NDManager manager, ArchitectureConfig spec, int channels, int imageSize, long seed) {
    BuiltinArchitecture architecture = BuiltinArchitecture.resolve(spec, channels, imageSize);
    NDManager owned = manager.newSubManager();
    try {
      // Fold the high bits in so that seeds differing only above bit 31 still differ.
      owned.getEngine().setRandomSeed(Long.hashCode(seed));
      AbstractBlock block = architecture.newBlock();
      block.initialize(owned, DataType.FLOAT32, architecture.inputShape(1));
      return new BuiltinStudent(owned, architecture, block);
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  /**
   * Restores a student saved by {@link #save}. Consumes no random numbers, so a resumed run's
   * random stream is unaffected.
   *
   * @throws IllegalArgumentException if the architecture does not fit the images
   * @throws ModelInputException if the file was saved from a different architecture
   */
  public static BuiltinStudent load(
      NDManager manager, ArchitectureConfig spec, int channels, int imageSize, Path file)
      throws IOException {
    BuiltinArchitecture architecture = BuiltinArchitecture.resolve(spec, channels, imageSize);
    NDManager owned = manager.newSubManager();
    boolean loaded = false;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      AbstractBlock block = architecture.newBlock();
      Map<String, Shape> expected = expectedShapes(owned, architecture, block);
      block.loadParameters(owned, in);
      if (in.read() != -1) {
        throw mismatch(file, "it holds more parameters than this architecture has");
      }
      for (Pair<String, Parameter> p : block.getParameters()) {
        Shape actual = p.getValue().getArray().getShape();
        if (!actual.equals(expected.get(p.getKey()))) {
          throw mismatch(
              file, p.getKey() + " is " + actual + ", expected " + expected.get(p.getKey()));
        }
      }
      BuiltinStudent student = new BuiltinStudent(owned, architecture, block);
      loaded = true;
      return student;
    } catch (MalformedModelException e) {
      throw mismatch(file, e.getMessage());
    } catch (EOFException e) {
      throw mismatch(file, "it holds fewer parameters than this architecture has");
    } finally {
      if (!loaded) {
        owned.close();
      }
    }
  }

  /**
   * Initialises {@code block} with zeros (no random draws) to learn its parameter shapes, then
   * drops the arrays so that loading fills them.
   */
  private static Map<String, Shape> expectedShapes(
      NDManager manager, BuiltinArchitecture architecture, AbstractBlock block) {
    block.setInitializer(Initializer.ZEROS, p -> true);
    block.initialize(manager, DataType.FLOAT32, architecture.inputShape(1));
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      shapes.put(p.getKey(), p.getValue().getArray().getShape());
      p.getValue().close();
    }
    return shapes;
  }

  private static ModelInputException mismatch(Path file, String detail) {
    return new ModelInputException(
        "student weights " + file + " do not match spec.student.architecture: " + detail);
  }

  /**
   * Runs the network on {@code [B, C, S, S]} images.
   *
   * <p>For a ResNet, {@code training = true} normalises with the batch's statistics (so an image's
   * output depends on the rest of its batch) and updates the running statistics in place; {@code
   * training = false} uses the running statistics and changes nothing. The ViT behaves the same
   * either way.
   *
   * @param training whether BatchNorm (ResNet) uses and updates batch statistics
   * @return tokens {@code [B, T, width]} (ViT) or embeddings {@code [B, outputDim]} (ResNet)
   */
  @Override
  public NDArray forward(NDArray images, boolean training) {
    Shape shape = images.getShape();
    if (shape.dimension() != 4
        || shape.get(1) != architecture.channels()
        || shape.get(2) != architecture.imageSize()
        || shape.get(3) != architecture.imageSize()) {
      throw new IllegalArgumentException(
          "the built-in student expects images [B,"
              + architecture.channels()
              + ","
              + architecture.imageSize()
              + ","
              + architecture.imageSize()
              + "], got "
              + shape);
    }
    return block.forward(parameterStore, new NDList(images), training).singletonOrThrow();
  }

  /** Output shape for a batch of {@code batchSize} images, without running the network. */
  public Shape outputShape(long batchSize) {
    return block.getOutputShapes(new Shape[] {architecture.inputShape(batchSize)})[0];
  }

  /**
   * Trainable parameters named {@code student.<DJL parameter name>}; BatchNorm running statistics
   * are not trainable and not listed.
   */
  @Override
  public List<TrainableParameter> parameters() {
    return parameters;
  }

  @Override
  public String fileName() {
    return FILE_NAME;
  }

  /** Writes all parameters, BatchNorm running statistics included, atomically and durably. */
  @Override
  public void save(Path directory) throws IOException {
    Path target = directory.resolve(FILE_NAME);
    Path tmp = directory.resolve(FILE_NAME + ".tmp");
    try (FileOutputStream file = new FileOutputStream(tmp.toFile());
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file))) {
      block.saveParameters(out);
      out.flush();
      file.getFD().sync();
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    manager.close();
  }
}
