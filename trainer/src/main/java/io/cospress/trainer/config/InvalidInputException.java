package io.cospress.trainer.config;

/**
 * Input the user must fix (manifest, files, options, directories): the same answer on every retry,
 * so the CLI exits with code 2 and the operator fails the run at once instead of retrying. The
 * message is one line naming the field or file.
 */
public class InvalidInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
