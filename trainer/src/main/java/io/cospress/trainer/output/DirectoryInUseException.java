package io.cospress.trainer.output;

import io.cospress.trainer.config.InvalidInputException;

/** Another trainer is working on the same output or checkpoint directory. */
public class DirectoryInUseException extends InvalidInputException {

  private static final long serialVersionUID = 1L;

  public DirectoryInUseException(String message) {
    super(message);
  }
}
