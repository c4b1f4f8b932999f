package io.cospress.trainer.config;

import io.cospress.trainer.model.OutputShape;
import java.util.Locale;
import java.util.Objects;

/**
 * The student: a TorchScript file ({@code model}) or a built-in {@code architecture}, exactly one.
 *
 * @param model the TorchScript file, as the manifest names it, or null
 * @param sha256 expected SHA-256 of the file, or null
 * @param select which output of a multi-output model, or null
 * @param architecture the built-in architecture, or null
 */
public record StudentConfig(
    String model,
    String sha256,
    String select,
    OutputShape output,
    ArchitectureConfig architecture) {

  public StudentConfig {
    if ((model == null) == (architecture == null)) {
      throw new IllegalArgumentException("exactly one of model and architecture");
    }
    Objects.requireNonNull(output, "output");
  }

  public boolean builtin() {
    return architecture != null;
  }

  /** The file, or "built-in vit": how messages name this student. */
  public String describe() {
    return builtin() ? "built-in " + architecture.family().name().toLowerCase(Locale.ROOT) : model;
  }
}
