package io.cospress.operator.event;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a run, so `kubectl describe dr` tells its history. Failing to record an
 * event never fails a reconciliation.
 */
public final class RunEvents {

  public static final String COMPONENT = CosPressConstants.MANAGED_BY_VALUE;
  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public RunEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(DistillationRun run, String reason, String message) {
    record(run, "Normal", reason, message);
  }

  public void warning(DistillationRun run, String reason, String message) {
    record(run, "Warning", reason, message);
  }

  /** Records an event of {@code type} ("Normal" or "Warning"). */
  public void record(DistillationRun run, String type, String reason, String message) {
    String now = clock.instant().toString();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                run.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
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
    try {
      client.v1().events().inNamespace(run.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot record event {} on {}: {}", reason, run.getMetadata().getName(), e.getMessage());
    }
  }
}
