package io.cospress.trainer.data;

import io.cospress.trainer.config.InvalidInputException;

/**
 * A dataset could not be read or is not what the run expects.
 *
 * <p>Unchecked so that it can cross worker threads and iterator boundaries unchanged; the message
 * always names the offending file and what was expected, because it ends up in the run's status
 * where the user has no stack trace to go on.
 */
public class DatasetException extends InvalidInputException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with a user-facing message. */
  public DatasetException(String message) {
    super(message);
  }

  /** Creates an exception with a user-facing message and the low-level cause. */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
