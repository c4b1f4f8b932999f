package io.cospress.trainer.manifest;

import io.cospress.trainer.config.InvalidInputException;
import java.util.List;

/** A manifest that cannot be run, with one line per problem, each naming the field. */
public class ManifestException extends InvalidInputException {

  private final List<String> problems;

  public ManifestException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
