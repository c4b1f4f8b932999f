package io.cospress.trainer.model;

import io.cospress.trainer.config.InvalidInputException;

/** A model file that is missing, corrupt, or not shaped as the manifest says. */
public class ModelInputException extends InvalidInputException {
  public ModelInputException(String message) {
    super(message);
  }

  public ModelInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
