package io.cospress.operator.plan;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Durations and timestamps as status messages show them. */
final class Durations {

  private Durations() {}

  /** "45s", "16m", "1h5m": whole units, the largest two that are not zero. */
  static String text(Duration duration) {
    long seconds = Math.max(0, duration.toSeconds());
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long rest = seconds % 60;
    if (hours > 0) {
      return minutes > 0 ? hours + "h" + minutes + "m" : hours + "h";
    }
    if (minutes > 0) {
      return rest > 0 ? minutes + "m" + rest + "s" : minutes + "m";
    }
    return rest + "s";
  }

  /** An RFC 3339 timestamp from an API object, or empty when it is missing or malformed. */
  static Optional<Instant> parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(timestamp));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
