package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 6: the leading operator pod is deleted while a run trains. The other replica (or the
 * Deployment's replacement) takes the Lease, adopts the run's Job instead of creating another, and
 * drives the run to Succeeded; the status the trainer and the old leader wrote stays intact.
 */
@Order(6)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorFailoverE2E implements Scenario {

  private static final String NS = "e2e-failover";
  private static final String LEASE = "cospress-operator-lock";
  private static final int EPOCHS = 8;

  private Workspace workspace;
  private RunManifest manifest;
  private RunWatch watch;
  private String leaderBefore;
  private String leaderAfter;
  private Duration takeover;
  private DistillationRun finished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void deleteTheLeaderWhileARunTrains() {
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    manifest =
        RunManifest.quick(NS, "failover", EPOCHS).set("evaluation", "intervalEpochs", EPOCHS);
    watch = RunWatch.of(manifest);
    manifest.apply();
    TrainerPods.awaitLiveStep(NS, manifest.name(), 1, 2);

    leaderBefore = lease().getSpec().getHolderIdentity();
    Instant deleted = Instant.now();
    Kubectl.run("delete", "pod", leaderBefore, "-n", Cluster.OPERATOR_NAMESPACE, "--wait=false")
        .requireSuccess();
    while (true) {
      String holder = lease().getSpec().getHolderIdentity();
      if (holder != null && !holder.isBlank() && !holder.equals(leaderBefore)) {
        leaderAfter = holder;
        takeover = Duration.between(deleted, Instant.now());
        break;
      }
      assertThat(Duration.between(deleted, Instant.now()))
          .as("lease taken over")
          .isLessThan(Duration.ofMinutes(2));
      sleep();
    }
    finished = watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    watch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
  }

  @Test
  void anotherReplicaTookTheLeaseAndTheDeploymentRecovered() {
    assertThat(leaderAfter).isNotEqualTo(leaderBefore);
    assertThat(
            Cluster.client()
                .pods()
                .inNamespace(Cluster.OPERATOR_NAMESPACE)
                .withName(leaderAfter)
                .get())
        .isNotNull();
    Deployment deployment = watchDeployment(Duration.ofMinutes(2));
    assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(2);
    System.out.printf(
        "operator failover: lease taken over %d s after the leader pod was deleted%n",
        takeover.toSeconds());
  }

  @Test
  void theNewLeaderAdoptedTheJobInsteadOfCreatingAnother() {
    assertThat(Cluster.client().batch().v1().jobs().inNamespace(NS).list().getItems())
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(manifest.name() + "-a1");
    assertThat(TrainerPods.of(NS, manifest.name())).hasSize(1);
    assertThat(finished.getStatus().getAttempt()).isEqualTo(1);
    assertThat(finished.getStatus().getRestarts().getTotal()).isZero();
  }

  @Test
  void theStatusStayedIntact() {
    java.util.List<RunPhase> phases = watch.phases();
    assertThat(phases.subList(phases.indexOf(RunPhase.Running), phases.size()))
        .as("from the first Running on")
        .containsExactly(RunPhase.Running, RunPhase.Succeeded);
    long previous = 0;
    for (RunWatch.Seen seen : watch.history()) {
      if (seen.step() != null) {
        assertThat(seen.step()).as("progress never goes back").isGreaterThanOrEqualTo(previous);
        previous = seen.step();
      }
    }
    long total = (long) EPOCHS * RunManifest.STEPS_PER_EPOCH;
    assertThat(finished.getStatus().getProgress().getStep()).isEqualTo(total);
    assertThat(finished.getStatus().getCheckpoint().getLatest())
        .isEqualTo("ckpt-%010d".formatted(total));
    assertThat(finished.getStatus().getMetrics().getStudentKnnAccuracy()).isNotNull();
  }

  private static Lease lease() {
    return Cluster.client().leases().inNamespace(Cluster.OPERATOR_NAMESPACE).withName(LEASE).get();
  }

  private static Deployment watchDeployment(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      Deployment d =
          Cluster.client()
              .apps()
              .deployments()
              .inNamespace(Cluster.OPERATOR_NAMESPACE)
              .withName(Cluster.OPERATOR_DEPLOYMENT)
              .get();
      Integer ready = d.getStatus().getReadyReplicas();
      if ((ready != null && ready == 2) || Instant.now().isAfter(deadline)) {
        return d;
      }
      sleep();
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
