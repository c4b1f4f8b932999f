package io.cospress.trainer.config;

import io.cospress.trainer.model.OutputShape;
import java.util.Objects;

/**
 * The frozen teacher.
 *
 * @param model the TorchScript file, as the manifest names it
 * @param sha256 expected SHA-256 of the file, or null
 * @param select which output of a multi-output model, or null
 */
public record TeacherConfig(String model, String sha256, String select, OutputShape output) {

  public TeacherConfig {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(output, "output");
  }
}
