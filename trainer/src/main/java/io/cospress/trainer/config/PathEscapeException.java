package io.cospress.trainer.config;

/** A manifest path that would leave the volume it must stay in. */
public class PathEscapeException extends InvalidInputException {
  public PathEscapeException(String message) {
    super(message);
  }
}
