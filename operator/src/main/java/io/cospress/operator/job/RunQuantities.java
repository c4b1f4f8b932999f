package io.cospress.operator.job;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;

/** Reads Kubernetes quantities from a run's spec, naming the field when one is malformed. */
final class RunQuantities {

  private RunQuantities() {}

  /** Parses {@code value} and checks it is positive. */
  static Quantity positive(String field, String value) {
    Quantity quantity;
    BigDecimal amount;
    try {
      quantity = Quantity.parse(value);
      amount = quantity.getNumericalAmount();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new InvalidRunSpecException(field, "not a Kubernetes quantity: \"" + value + "\"");
    }
    if (amount.signum() <= 0) {
      throw new InvalidRunSpecException(field, "must be positive, got \"" + value + "\"");
    }
    return quantity;
  }
}
