package io.cospress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.RunPhase;
import io.cospress.e2e.harness.Checkpoints;
import io.cospress.e2e.harness.Cluster;
import io.cospress.e2e.harness.Kubectl;
import io.cospress.e2e.harness.RunEvents;
import io.cospress.e2e.harness.RunManifest;
import io.cospress.e2e.harness.RunWatch;
import io.cospress.e2e.harness.Scenario;
import io.cospress.e2e.harness.ScenarioExtension;
import io.cospress.e2e.harness.TrainerPods;
import io.cospress.e2e.harness.Workspace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 9: runs are deleted while they train. The real garbage collector removes each run's Job,
 * pods, ConfigMap, ServiceAccount, Role and RoleBinding through their owner references; the
 * checkpoints of a run with {@code retentionPolicy: Retain} stay on the volume, those of a run with
 * {@code Delete} are removed by its cleanup Job before the run goes.
 *
 * <p>Also here, because it is where it shows: a second run on the claim of a training run, in a
 * checkpoint path of its own, as docs/gitops.md lays out a sweep.
 */
@Order(9)
@ExtendWith(ScenarioExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunDeletionE2E implements Scenario {

  private static final String NS = "e2e-delete";
  private static final int EPOCHS = 20;

  private Workspace shared;
  private Workspace own;
  private RunManifest retained;
  private RunManifest neighbour;
  private RunManifest removed;
  private RunManifest finished;
  private final Map<String, List<String>> ownedBefore = new HashMap<>();
  private List<Checkpoints.Saved> retainedCheckpointsBefore;
  private boolean neighbourTrainedAlongside;
  private String neighbourLog;
  private List<String> removedEvents;
  private boolean finishedCheckpointsBeforeDeletion;

  @Override
  public String namespace() {
    return NS;
  }

  @BeforeAll
  void deleteRunsMidTrainingAndAfterTheyFinished() {
    Cluster.createNamespace(NS);
    shared = Workspace.local(NS);
    own = Workspace.local(NS, "workspace-b");
    // Half a CPU each, so three trainers fit on the node next to the operator.
    retained = run("retained", EPOCHS, shared).apply();
    neighbour = run("neighbour", 2, shared).apply();
    removed = run("removed", EPOCHS, own).set("checkpoint", "retentionPolicy", "Delete").apply();
    for (RunManifest run : List.of(retained, removed)) {
      TrainerPods.awaitLiveStep(NS, run.name(), 1, RunManifest.STEPS_PER_EPOCH + 1);
      ownedBefore.put(run.name(), owned(run.name()));
    }
    neighbourTrainedAlongside = hasTrained(neighbour);
    neighbourLog = TrainerPods.logs(TrainerPods.ofAttempt(NS, neighbour.name(), 1).orElseThrow());
    retainedCheckpointsBefore = shared.checkpoints(retained.checkpointPath()).list();

    delete(retained, removed);
    removedEvents = RunEvents.reasons(NS, removed.name());

    // A run with retentionPolicy: Delete deleted after it finished (its claim is free again).
    finished = run("finished", 1, own).set("checkpoint", "retentionPolicy", "Delete").apply();
    try (RunWatch watch = RunWatch.of(finished)) {
      watch.awaitPhase(RunPhase.Succeeded, Duration.ofMinutes(4));
    }
    finishedCheckpointsBeforeDeletion = own.checkpoints(finished.checkpointPath()).exists();
    delete(finished);
  }

  @AfterAll
  void cleanUp() {
    Cluster.deleteNamespace(NS);
    shared.release();
    own.release();
  }

  @Test
  void runsHadEverythingTheOperatorCreatesWhileTheyTrained() {
    for (RunManifest run : List.of(retained, removed)) {
      String n = run.name();
      assertThat(ownedBefore.get(n))
          .contains(
              "Job/" + n + "-a1",
              "ConfigMap/" + n + "-manifest",
              "ServiceAccount/" + n + "-trainer",
              "Role/" + n + "-trainer",
              "RoleBinding/" + n + "-trainer")
          .anyMatch(o -> o.startsWith("Pod/" + n + "-a1-"));
    }
    assertThat(retainedCheckpointsBefore).isNotEmpty();
  }

  @Test
  void theGarbageCollectorRemovedEverythingTheDeletedRunsOwned() {
    for (RunManifest run : List.of(retained, removed, finished)) {
      assertThat(Cluster.run(NS, run.name())).isNull();
      assertThat(owned(run.name())).as(run.name()).isEmpty();
    }
  }

  @Test
  void retainedCheckpointsStay() {
    Checkpoints kept = shared.checkpoints(retained.checkpointPath());
    assertThat(kept.list())
        .extracting(Checkpoints.Saved::name)
        .containsAll(retainedCheckpointsBefore.stream().map(Checkpoints.Saved::name).toList());
    assertThat(shared.dir().resolve(Workspace.MODELS).resolve("teacher-vit-fmnist.pt")).exists();
  }

  @Test
  void aFinishedRunsCheckpointsGoWithItWhenItsPolicyIsDelete() {
    assertThat(finishedCheckpointsBeforeDeletion).isTrue();
    assertThat(own.checkpoints(finished.checkpointPath()).exists()).isFalse();
    // The claim root, the models and the data stay.
    assertThat(own.dir().resolve(Workspace.MODELS).resolve("teacher-vit-fmnist.pt")).exists();
  }

  /**
   * The operator stops the trainer first (deletes its Job, waits for its pod to go) and only then
   * runs the cleanup Job, so the checkpoint the trainer writes on SIGTERM is removed too.
   */
  @Test
  void aRunDeletedWhileTrainingLeavesNoCheckpointsWhenItsPolicyIsDelete() {
    assertThat(removedEvents).contains("DeletingCheckpoints");
    assertThat(own.checkpoints(removed.checkpointPath()).entries()).isEmpty();
  }

  /**
   * docs/gitops.md: runs of a sweep share one claim, each in its own checkpoint path. The trainer
   * locks and writes only under its run's checkpoint path (status.json and final/ included), so the
   * second run trains while the first does, and neither writes to the claim's root.
   */
  @Test
  void twoRunsOnOneClaimTrainSideBySide() {
    assertThat(neighbourTrainedAlongside).as(neighbourLog).isTrue();
    assertThat(neighbourLog).doesNotContain("is in use by another trainer");
    assertThat(shared.dir().resolve("status.json")).doesNotExist();
    assertThat(shared.dir().resolve("final")).doesNotExist();
  }

  private static RunManifest run(String name, int epochs, Workspace workspace) {
    return RunManifest.quick(NS, name, epochs)
        .set("evaluation", "intervalEpochs", epochs)
        .set("resources", "cpu", "500m")
        .set("checkpoint", "claimName", workspace.claim());
  }

  private static boolean hasTrained(RunManifest run) {
    var status = Cluster.run(NS, run.name()).getStatus();
    return status != null
        && status.getProgress() != null
        && status.getProgress().getStep() != null
        && status.getProgress().getStep() > 0;
  }

  private static void delete(RunManifest... runs) {
    List<String> args = new ArrayList<>(List.of("delete", "dr", "-n", NS, "--timeout=4m"));
    for (RunManifest run : runs) {
      args.add(run.name());
    }
    Kubectl.run(args.toArray(String[]::new)).requireSuccess();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    for (RunManifest run : runs) {
      while (!owned(run.name()).isEmpty() && Instant.now().isBefore(deadline)) {
        RunWatch.sleep(Duration.ofMillis(500));
      }
    }
  }

  /** "Kind/name" of every object in the namespace that belongs to {@code run}. */
  private static List<String> owned(String run) {
    List<HasMetadata> objects = new ArrayList<>();
    var client = Cluster.client();
    String label = CosPressConstants.LABEL_RUN;
    objects.addAll(
        client.batch().v1().jobs().inNamespace(NS).withLabel(label, run).list().getItems());
    objects.addAll(client.pods().inNamespace(NS).withLabel(label, run).list().getItems());
    objects.addAll(client.configMaps().inNamespace(NS).withLabel(label, run).list().getItems());
    objects.addAll(
        client.serviceAccounts().inNamespace(NS).withLabel(label, run).list().getItems());
    objects.addAll(client.rbac().roles().inNamespace(NS).withLabel(label, run).list().getItems());
    objects.addAll(
        client.rbac().roleBindings().inNamespace(NS).withLabel(label, run).list().getItems());
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }
}
