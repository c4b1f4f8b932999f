package io.cospress.e2e.harness;

import io.fabric8.kubernetes.api.model.Event;
import java.util.Comparator;
import java.util.List;

/** The core/v1 Events recorded on a run, as {@code kubectl describe dr} lists them. */
public final class RunEvents {

  private RunEvents() {}

  /** Events whose involved object is the run, oldest first. */
  public static List<Event> of(String namespace, String run) {
    return Cluster.client()
        .v1()
        .events()
        .inNamespace(namespace)
        .withField("involvedObject.name", run)
        .list()
        .getItems()
        .stream()
        .filter(e -> "DistillationRun".equals(e.getInvolvedObject().getKind()))
        .sorted(Comparator.comparing(RunEvents::time))
        .toList();
  }

  /** The reasons of {@link #of}, in order. */
  public static List<String> reasons(String namespace, String run) {
    return of(namespace, run).stream().map(Event::getReason).toList();
  }

  /** "Type Reason: message" lines, for assertion messages. */
  public static String describe(String namespace, String run) {
    StringBuilder text = new StringBuilder();
    for (Event e : of(namespace, run)) {
      text.append("  ")
          .append(e.getType())
          .append(' ')
          .append(e.getReason())
          .append(": ")
          .append(e.getMessage())
          .append('\n');
    }
    return text.toString();
  }

  private static String time(Event e) {
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    if (e.getFirstTimestamp() != null) {
      return e.getFirstTimestamp();
    }
    return e.getMetadata().getCreationTimestamp();
  }
}
