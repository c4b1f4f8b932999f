package io.cospress.operator.event;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events recorded lately, by run and content, so a repeat within the window is recognised.
 * Bounded: beyond {@code capacity} entries the oldest is forgotten, which at worst lets a repeat
 * through.
 */
final class RecentEvents {

  private final long windowMillis;
  private final Map<List<String>, Long> recordedAt;

  RecentEvents(Duration window, int capacity) {
    this.windowMillis = window.toMillis();
    this.recordedAt =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<List<String>, Long> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * Whether this event is not a repeat of one recorded within the window; if so, remembers it.
   *
   * @param runUid the run's uid, so a run deleted and created again under its name starts afresh
   */
  synchronized boolean firstWithinWindow(
      String runUid, String type, String reason, String message, long nowMillis) {
    List<String> key = List.of(String.valueOf(runUid), type, reason, message);
    Long previous = recordedAt.get(key);
    if (previous != null && nowMillis - previous < windowMillis) {
      return false;
    }
    recordedAt.put(key, nowMillis);
    return true;
  }
}
