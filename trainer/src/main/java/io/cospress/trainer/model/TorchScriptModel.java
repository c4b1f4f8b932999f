package io.cospress.trainer.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.torch.Bfloat16;
import io.cospress.trainer.torch.NoGrad;
import io.cospress.trainer.torch.Transfer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript module run through DJL. A trainable one is loaded with {@code trainParam=true} so
 * its parameters take gradients, and can be written back as plain TorchScript.
 *
 * <p>A model loaded {@linkplain #loadBfloat16 in bfloat16} computes in that type behind a float32
 * face: images are cast down on the way in and outputs up on the way out, so callers (the loss, the
 * evaluation) see float32 whichever precision the step runs in.
 */
public final class TorchScriptModel implements AutoCloseable {

  private final Path file;
  private final Model model;
  private final PtSymbolBlock block;
  private final String select;
  private final ParameterStore parameterStore;
  private final DataType computeType;

  /** A bfloat16 parameter, the template {@link Bfloat16#of} makes input buffers from. */
  private final NDArray bfloat16Template;

  /** Whether {@link #forwardFrozen} put the module in eval mode without the block knowing. */
  private boolean evalWithoutBlock;

  private TorchScriptModel(Path file, Model model, String select, DataType computeType) {
    this.file = file;
    this.computeType = computeType;
    this.model = model;
    this.block = (PtSymbolBlock) model.getBlock();
    this.select = select == null || select.isBlank() ? null : select;
    this.parameterStore = new ParameterStore(model.getNDManager(), false);
    this.bfloat16Template =
        computeType == DataType.BFLOAT16 ? block.getParameters().valueAt(0).getArray() : null;
  }

  /**
   * Loads a TorchScript file.
   *
   * @param field manifest field naming the file, for error messages
   */
  public static TorchScriptModel load(
      Path file, String field, String select, boolean trainable, Device device) {
    requireReadable(file, field);
    Model model = Model.newInstance(field, device, "PyTorch");
    try {
      model.load(file, null, trainable ? Map.of("trainParam", "true") : Map.of());
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelInputException(
          field + ": cannot load " + file + " as TorchScript: " + rootMessage(e), e);
    }
    return new TorchScriptModel(file, model, select, DataType.FLOAT32);
  }

  /**
   * Loads a TorchScript file with every float32 parameter and buffer in bfloat16 ({@link
   * Bfloat16Archive}); its {@link #parameters} are then bfloat16 arrays.
   */
  public static TorchScriptModel loadBfloat16(
      Path file, String field, String select, boolean trainable, Device device) {
    requireReadable(file, field);
    Model model = Model.newInstance(field + " (bfloat16)", device, "PyTorch");
    try {
      model.load(new ByteArrayInputStream(Bfloat16Archive.convert(file)), Map.of());
      // A module loaded from a stream comes frozen; the path loader's trainParam is not offered.
      model.getBlock().freezeParameters(!trainable);
      if (model.getBlock().getParameters().isEmpty()) {
        throw new IOException("the module has no parameters");
      }
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelInputException(
          field + ": cannot load " + file + " in bfloat16: " + rootMessage(e), e);
    }
    return new TorchScriptModel(file, model, select, DataType.BFLOAT16);
  }

  private static void requireReadable(Path file, String field) {
    if (!Files.isRegularFile(file)) {
      // A FIFO or device would block or stream forever once opened; only plain files are models.
      throw new ModelInputException(
          field
              + ": "
              + (Files.exists(file)
                  ? file + " is " + InputFiles.kind(file) + ", not a file"
                  : "file not found: " + file));
    }
    if (!Files.isReadable(file)) {
      throw new ModelInputException(field + ": file not readable: " + file);
    }
  }

  /** The type the module computes in: float32, or bfloat16 for {@link #loadBfloat16}. */
  public DataType computeType() {
    return computeType;
  }

  /** Runs the module and picks the configured output. */
  public NDArray forward(NDArray images, boolean training) {
    if (evalWithoutBlock) {
      // forwardFrozen switched the module to eval behind the block, which may still believe it
      // is in training mode and so would not switch back.
      if (training) {
        JniUtils.enableTrainingMode(block);
      }
      evalWithoutBlock = false;
    }
    NDList outputs = block.forward(parameterStore, new NDList(in(images)), training);
    return out(pick(outputs));
  }

  /**
   * Runs the module in eval mode with autograd off, as PyTorch's {@code torch.no_grad()}: the
   * output is an ordinary tensor that a recorded op may use. DJL's own eval forward runs under
   * inference mode, whose tensors autograd refuses, so they had to be copied every step.
   */
  public NDArray forwardFrozen(NDArray images) {
    if (!evalWithoutBlock) {
      JniUtils.enableInferenceMode(block); // module.eval(); the name is DJL's
      evalWithoutBlock = true;
    }
    try (NoGrad ignored = NoGrad.begin()) {
      return out(pick(IValueUtils.forward(block, new NDList(in(images)), true)));
    }
  }

  private NDArray in(NDArray images) {
    if (computeType == DataType.FLOAT32 || Bfloat16.isReduced(images)) {
      return images;
    }
    return Bfloat16.of(images, bfloat16Template);
  }

  private NDArray out(NDArray output) {
    // Recorded by autograd, so gradients flow back into the bfloat16 module.
    return computeType != DataType.FLOAT32 && Bfloat16.isReduced(output)
        ? Transfer.toFloat32(output, output.getDevice())
        : output;
  }

  private NDArray pick(NDList outputs) {
    if (select == null) {
      if (outputs.size() != 1) {
        throw new ModelInputException(
            "model "
                + file
                + " returns "
                + outputs.size()
                + " outputs; set 'select' to an index or key to choose one");
      }
      return outputs.get(0);
    }
    if (select.chars().allMatch(Character::isDigit)) {
      int index = Integer.parseInt(select);
      if (index >= outputs.size()) {
        throw new ModelInputException(
            "model "
                + file
                + " returns "
                + outputs.size()
                + " outputs; select "
                + index
                + " is out of range");
      }
      return outputs.get(index);
    }
    NDArray named = outputs.get(select);
    if (named == null) {
      List<String> names = new ArrayList<>();
      outputs.forEach(a -> names.add(a.getName()));
      throw new ModelInputException(
          "model " + file + " has no output named '" + select + "' (outputs: " + names + ")");
    }
    return named;
  }

  public List<TrainableParameter> parameters(String prefix) {
    List<TrainableParameter> list = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      list.add(new TrainableParameter(prefix + p.getKey(), p.getValue().getArray()));
    }
    return list;
  }

  /** Writes the module, with its current weights, as a plain TorchScript zip (atomically). */
  public void saveTorchScript(Path target) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // a link planted under this name is removed, not followed
    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
      JniUtils.writeModule(block, out, false);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() {
    model.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
