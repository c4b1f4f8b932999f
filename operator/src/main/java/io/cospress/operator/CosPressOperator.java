package io.cospress.operator;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.metrics.OperatorMetrics;
import io.cospress.operator.plan.RunPlanner;
import io.cospress.operator.reconciler.CachedObjects;
import io.cospress.operator.reconciler.DistillationRunReconciler;
import io.cospress.operator.reconciler.PruningStore;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator process: one controller for DistillationRuns, health and metrics endpoints. */
public final class CosPressOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CosPressOperator.class);

  private final Operator operator;
  private final HealthServer health;

  private CosPressOperator(Operator operator, HealthServer health) {
    this.operator = operator;
    this.health = health;
  }

  public static void main(String[] args) throws Exception {
    OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
    CosPressOperator running = start(new KubernetesClientBuilder().build(), settings);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cospress-operator-stop"));
    LOG.info("CosPress operator started; health and metrics on :{}", running.health.port());
  }

  /** Starts the operator with the given client (tests pass one for their API server). */
  public static CosPressOperator start(KubernetesClient client, OperatorSettings settings)
      throws java.io.IOException {
    return start(client, settings, new RetryPolicy());
  }

  /** As {@link #start(KubernetesClient, OperatorSettings)} with a custom retry backoff. */
  public static CosPressOperator start(
      KubernetesClient client, OperatorSettings settings, RetryPolicy retryPolicy)
      throws java.io.IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(true)
                  .withConcurrentReconciliationThreads(settings.reconcileThreads())
                  .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads());
              if (settings.leaderElectionNamespace() != null) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName(),
                        settings.leaderElectionNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        null,
                        null,
                        settings.exitWhenLeadershipLost()));
              }
            });
    OperatorMetrics metrics = new OperatorMetrics(registry);
    RunPlanner planner =
        new RunPlanner(settings.trainer(), retryPolicy, settings.pendingStalledAfter());
    DistillationRunReconciler reconciler =
        new DistillationRunReconciler(
            client, settings.trainer(), planner, metrics, Clock.systemUTC());
    operator.register(
        reconciler,
        o -> {
          if (!settings.watchNamespaces().isEmpty()) {
            o.settingNamespaces(settings.watchNamespaces());
          }
          PruningStore.<DistillationRun>forNamespaces(
                  settings.watchNamespaces(), CachedObjects::run)
              .ifPresent(o::withItemStore);
        });
    operator.start();
    HealthServer health = HealthServer.start(settings.httpPort(), operator, registry);
    return new CosPressOperator(operator, health);
  }

  public int httpPort() {
    return health.port();
  }

  @Override
  public void close() {
    health.close();
    operator.stop();
  }
}
