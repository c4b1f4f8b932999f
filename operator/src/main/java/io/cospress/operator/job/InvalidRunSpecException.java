package io.cospress.operator.job;

/**
 * A run's spec holds a value the trainer's objects cannot be built from. The reconciler reports it
 * on the run (phase Failed, naming the field) instead of retrying, since retrying cannot help.
 */
public final class InvalidRunSpecException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidRunSpecException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The offending field, for example {@code spec.resources.cpu}. */
  public String field() {
    return field;
  }
}
