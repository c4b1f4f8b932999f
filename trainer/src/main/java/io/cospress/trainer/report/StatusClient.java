package io.cospress.trainer.report;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/**
 * The Kubernetes client status reports go through: the pod's own configuration (its service
 * account) with short timeouts and none of the client's own retries. The client's defaults retry a
 * failed call ten times with growing pauses, about 19 s per report while the API server is down;
 * {@link BackgroundSink} retries instead, at its own pace and off the training thread.
 */
public final class StatusClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private StatusClient() {}

  public static KubernetesClient create() {
    Config config =
        new ConfigBuilder(Config.autoConfigure(null))
            .withConnectionTimeout((int) CONNECT_TIMEOUT.toMillis())
            .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
            .withRequestRetryBackoffLimit(0)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
