package io.cospress.operator.event;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a run, so `kubectl describe dr` tells its history. Recording never
 * fails or slows a reconciliation: events are sent from a small pool of their own (a full queue
 * drops them with a log line), and an event identical to one recorded on the same run within {@link
 * #REPEAT_WINDOW} is not sent again.
 */
public final class RunEvents {

  public static final String COMPONENT = CosPressConstants.MANAGED_BY_VALUE;

  /**
   * How long an identical event on the same run counts as a repeat (as client-go's spam filter).
   */
  static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
  private static final int MAX_MESSAGE = 1024;
  private static final int SENDERS = 2;
  private static final int QUEUE = 10_000;

  /** Where an event goes: the API server, or a list in a test. */
  @FunctionalInterface
  public interface Sender {
    void send(Event event);
  }

  private final Sender sender;
  private final Clock clock;
  private final Executor executor;
  private final RecentEvents recent;

  public RunEvents(KubernetesClient client, Clock clock) {
    this(
        event ->
            client
                .v1()
                .events()
                .inNamespace(event.getMetadata().getNamespace())
                .resource(event)
                .create(),
        clock,
        senders());
  }

  /**
   * @param executor runs each send; a direct executor makes recording synchronous (tests)
   */
  public RunEvents(Sender sender, Clock clock, Executor executor) {
    this.sender = sender;
    this.clock = clock;
    this.executor = executor;
    this.recent = new RecentEvents(REPEAT_WINDOW, QUEUE);
  }

  /** Daemon threads that end when idle, so an operator stopped in a test leaves none behind. */
  private static Executor senders() {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            SENDERS,
            SENDERS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "cospress-events-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            (r, p) -> LOG.warn("event queue full ({} waiting); an event was dropped", QUEUE));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public void normal(DistillationRun run, String reason, String message) {
    record(run, "Normal", reason, message);
  }

  public void warning(DistillationRun run, String reason, String message) {
    record(run, "Warning", reason, message);
  }

  /** Records an event of {@code type} ("Normal" or "Warning"). */
  public void record(DistillationRun run, String type, String reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    long now = clock.millis();
    if (!recent.firstWithinWindow(run.getMetadata().getUid(), type, reason, text, now)) {
      LOG.debug(
          "event {} on {} repeats a recent one; not sent", reason, run.getMetadata().getName());
      return;
    }
    Event event = event(run, type, reason, text, clock.instant().toString());
    executor.execute(
        () -> {
          try {
            sender.send(event);
          } catch (KubernetesClientException e) {
            LOG.warn(
                "cannot record event {} on {}: {}",
                reason,
                run.getMetadata().getName(),
                e.getMessage());
          }
        });
  }

  private static Event event(
      DistillationRun run, String type, String reason, String text, String now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(run.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
        .withNamespace(run.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withNamespace(run.getMetadata().getNamespace())
                .withUid(run.getMetadata().getUid())
                .withResourceVersion(run.getMetadata().getResourceVersion())
                .build())
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
  }
}
