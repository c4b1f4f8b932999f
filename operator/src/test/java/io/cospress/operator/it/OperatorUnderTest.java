package io.cospress.operator.it;

import io.cospress.operator.CosPressOperator;
import io.cospress.operator.OperatorSettings;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Set;

/** Starts the operator in the test JVM against the shared API server, as its own client. */
final class OperatorUnderTest {

  /** Retries a test can wait for: 1 s, 2 s, 4 s, 4 s ... */
  static final RetryPolicy QUICK_RETRIES =
      new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(4));

  private OperatorUnderTest() {}

  /** A client of its own, as the operator's process would have; the operator closes it. */
  static KubernetesClient ownClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(ApiServer.get().kubeconfigYaml()))
        .build();
  }

  /** An operator watching {@code namespaces}, without leader election. */
  static CosPressOperator start(Set<String> namespaces, RetryPolicy retryPolicy) throws Exception {
    return CosPressOperator.start(
        ownClient(),
        new OperatorSettings(namespaces, null, "unused", 0, TrainerDefaults.standard()),
        retryPolicy);
  }

  static CosPressOperator start(OperatorSettings settings, RetryPolicy retryPolicy)
      throws Exception {
    return CosPressOperator.start(ownClient(), settings, retryPolicy);
  }
}
