package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.Kueue;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 11: Kueue itself admits the runs' Jobs. A ClusterQueue with quota for one trainer (one
 * CPU) admits a low-priority run; a high-priority run arriving later waits in phase Queued until
 * Kueue preempts the first one: Kueue suspends that Job, the Job controller stops its pod, the
 * trainer checkpoints on SIGTERM, and the run waits Queued until the high-priority run finishes and
 * the quota frees; then Kueue admits the same Job again and the trainer resumes. The low-priority
 * run has {@code maxRestarts: 0}: a preemption counted against its budget would fail it.
 */
@Order(11)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KueueE2E implements Scenario {

  private static final String NS = "e2e-kueue";
  private static final String QUEUE = "e2e-queue";
  private static final Pattern STOPPED = Pattern.compile("stopped at epoch (\\d+), step (\\d+)");

  private Workspace workspace;
  private RunManifest low;
  private RunManifest high;
  private RunWatch lowWatch;
  private RunWatch highWatch;
  private TrainerPods.Gone preempted;
  private DistillationRun lowWhileHighRan;
  private Job lowJobWhileHighRan;
  private DistillationRun lowFinished;
  private DistillationRun highFinished;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void preemptALowPriorityRunWithKueue() {
    Kueue.install();
    Cluster.createNamespace(NS);
    workspace = Workspace.local(NS);
    Kubectl.apply(
        """
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: e2e-low}
        value: 100
        preemptionPolicy: Never
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: e2e-high}
        value: 1000
        # Kueue preempts by its quota; the scheduler must not preempt on its own.
        preemptionPolicy: Never
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ResourceFlavor
        metadata: {name: e2e-cpu}
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ClusterQueue
        metadata: {name: e2e-trainers}
        spec:
          namespaceSelector: {}
          preemption:
            withinClusterQueue: LowerPriority
          resourceGroups:
          - coveredResources: [cpu, memory]
            flavors:
            - name: e2e-cpu
              resources:
              - {name: cpu, nominalQuota: "1"}
              - {name: memory, nominalQuota: 4Gi}
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: LocalQueue
        metadata: {name: %s, namespace: %s}
        spec:
          clusterQueue: e2e-trainers
        """
            .formatted(QUEUE, NS));

    low =
        RunManifest.quick(NS, "low", 5)
            .set("evaluation", "intervalEpochs", 5)
            .set("queueName", QUEUE)
            .set("maxRestarts", 0)
            .set("resources", "priorityClassName", "e2e-low");
    high =
        RunManifest.quick(NS, "high", 2)
            .set("evaluation", "intervalEpochs", 2)
            .set("queueName", QUEUE)
            .set("resources", "priorityClassName", "e2e-high");
    lowWatch = RunWatch.of(low);
    highWatch = RunWatch.of(high);
    low.apply();
    TrainerPods.awaitLiveStep(NS, low.name(), 1, RunManifest.STEPS_PER_EPOCH + 2);
    Pod first = TrainerPods.ofAttempt(NS, low.name(), 1).orElseThrow();

    high.apply();
    // The Job controller deletes the suspended Job's pod, and its log with it.
    preempted = TrainerPods.followUntilGone(NS, TrainerPods.name(first), Duration.ofMinutes(5));
    highWatch.awaitPhase(RunPhase.Running, Duration.ofMinutes(4));
    lowWhileHighRan = lowWatch.current();
    lowJobWhileHighRan = job(low.name() + "-a1");

    highFinished = highWatch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(4));
    lowFinished = lowWatch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(5));
  }

  @AfterAll
  void cleanUp() {
    lowWatch.close();
    highWatch.close();
    Cluster.deleteNamespace(NS);
    workspace.release();
    Kubectl.run("delete", "clusterqueue", "e2e-trainers", "--ignore-not-found", "--wait=true");
    Kubectl.run("delete", "resourceflavor", "e2e-cpu", "--ignore-not-found");
    Kubectl.run("delete", "priorityclass", "e2e-low", "e2e-high", "--ignore-not-found");
    Kueue.uninstall();
  }

  @Test
  void runsWaitQueuedUntilKueueHasQuotaForThem() {
    List<RunPhase> lowPhases = lowWatch.phases();
    // Before Kueue admitted it, the run never trained (a transient Pending may come first: the
    // operator reports each step of creating the run's objects).
    assertThat(lowPhases.indexOf(RunPhase.Queued))
        .as(lowWatch.describeHistory())
        .isNotNegative()
        .isLessThan(lowPhases.indexOf(RunPhase.Running));
    assertThat(lowPhases)
        .as(lowWatch.describeHistory())
        .containsSubsequence(
            RunPhase.Queued,
            RunPhase.Running,
            RunPhase.Queued,
            RunPhase.Running,
            RunPhase.Succeeded);
    assertThat(highWatch.phases())
        .as(highWatch.describeHistory())
        .containsSubsequence(RunPhase.Queued, RunPhase.Running, RunPhase.Succeeded);
    assertThat(RunWatch.phaseOf(lowWhileHighRan))
        .as("the preempted run while the other one trained")
        .isEqualTo(RunPhase.Queued);
    assertThat(lowJobWhileHighRan.getSpec().getSuspend()).as("Kueue suspended its Job").isTrue();
    assertThat(TrainerPods.of(NS, high.name())).hasSize(1);
  }

  @Test
  void kueuesPreemptionUsesNoneOfTheRestartBudget() {
    assertThat(lowFinished.getSpec().getMaxRestarts()).isZero();
    assertThat(lowFinished.getStatus().getRestarts().getApplicationError()).isZero();
    assertThat(lowFinished.getStatus().getRestarts().getNodeLoss()).isZero();
    assertThat(lowFinished.getStatus().getAttempt()).as("Kueue resumes the same Job").isEqualTo(1);
    Job job = job(low.name() + "-a1");
    List<String> failedConditions = new ArrayList<>();
    for (JobCondition c : job.getStatus().getConditions()) {
      if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
        failedConditions.add(c.getReason() + ": " + c.getMessage());
      }
    }
    assertThat(failedConditions).as("the Job controller did not fail the preempted Job").isEmpty();
    assertThat(jobEvents(low.name() + "-a1"))
        .as("Kueue's events on the Job")
        .anyMatch(e -> e.contains("Preempted") || e.contains("Stopped"));
  }

  @Test
  void thePreemptedTrainerCheckpointedAndTheReadmittedOneResumedThere() {
    String firstLog = preempted.log();
    Matcher stopped = STOPPED.matcher(firstLog);
    assertThat(stopped.find()).as(firstLog).isTrue();
    long step = Long.parseLong(stopped.group(2));
    List<Pod> pods = TrainerPods.of(NS, low.name());
    assertThat(pods).as("the pod after re-admission").hasSize(1);
    assertThat(TrainerPods.name(pods.get(0))).isNotEqualTo(TrainerPods.name(preempted.lastSeen()));
    assertThat(TrainerPods.logs(pods.get(0))).contains("resuming from").contains("step " + step);
    assertThat(lowFinished.getStatus().getProgress().getStep())
        .isEqualTo(5L * RunManifest.STEPS_PER_EPOCH);
  }

  private static Job job(String name) {
    return Cluster.client().batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  private static List<String> jobEvents(String job) {
    return Cluster.client()
        .v1()
        .events()
        .inNamespace(NS)
        .withField("involvedObject.name", job)
        .list()
        .getItems()
        .stream()
        .map((Event e) -> e.getReason() + ": " + e.getMessage())
        .toList();
  }
}
