package io.cospress.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.CheckpointStatus;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OperatorStatusTest {

  private static final Set<String> OPERATOR_FIELDS =
      Set.of(
          "phase",
          "conditions",
          "observedGeneration",
          "reason",
          "message",
          "attempt",
          "jobName",
          "restarts");

  @Test
  void builtStatusSerialisesOnlyOperatorOwnedFields() {
    DistillationRunStatus status =
        OperatorStatus.builder()
            .resolution(new PhaseResolution(RunPhase.Running, "Training", "training"))
            .conditions(List.of(ready()))
            .observedGeneration(3L)
            .attempt(1)
            .jobName("resnet-kd-a1")
            .restarts(RestartCounts.none())
            .build();

    assertThat(jsonFieldsOf(status)).isEqualTo(new TreeSet<>(OPERATOR_FIELDS));
  }

  @Test
  void ownedPartOfAFullStatusDropsTheTrainersFields() {
    DistillationRunStatus observed = new DistillationRunStatus();
    observed.setPhase(RunPhase.Running);
    observed.setObservedGeneration(2L);
    observed.setProgress(new ProgressStatus());
    observed.setMetrics(new MetricsStatus());
    CheckpointStatus checkpoint = new CheckpointStatus();
    checkpoint.setLatest("step-000500");
    observed.setCheckpoint(checkpoint);

    DistillationRunStatus owned = OperatorStatus.ownedPartOf(observed);

    assertThat(owned.getProgress()).isNull();
    assertThat(owned.getMetrics()).isNull();
    assertThat(owned.getCheckpoint()).isNull();
    assertThat(owned.getPhase()).isEqualTo(RunPhase.Running);
    assertThat(owned.getObservedGeneration()).isEqualTo(2L);
    assertThat(jsonFieldsOf(owned)).isSubsetOf(OPERATOR_FIELDS);
  }

  @Test
  void resolutionSetsPhaseReasonAndMessage() {
    DistillationRunStatus status =
        OperatorStatus.builder()
            .resolution(new PhaseResolution(RunPhase.Queued, "WaitingForAdmission", "queue q"))
            .build();

    assertThat(status.getPhase()).isEqualTo(RunPhase.Queued);
    assertThat(status.getReason()).isEqualTo("WaitingForAdmission");
    assertThat(status.getMessage()).isEqualTo("queue q");
  }

  @Test
  void builtStatusDoesNotShareConditionsOrRestartsWithItsInputs() {
    List<Condition> conditions = new ArrayList<>(List.of(ready()));
    RestartsStatus restarts = RestartCounts.none();

    DistillationRunStatus status =
        OperatorStatus.builder().conditions(conditions).restarts(restarts).build();
    conditions.get(0).setStatus("True");
    conditions.add(ready());
    restarts.setTotal(9);

    assertThat(status.getConditions()).hasSize(1);
    assertThat(status.getConditions().get(0).getStatus()).isEqualTo("False");
    assertThat(status.getRestarts().getTotal()).isZero();
  }

  @Test
  void unsetFieldsAreLeftOutOfTheStatus() {
    DistillationRunStatus status = OperatorStatus.builder().phase(RunPhase.Pending).build();

    assertThat(jsonFieldsOf(status)).containsExactly("phase");
  }

  private static Set<String> jsonFieldsOf(DistillationRunStatus status) {
    JsonNode json = new ObjectMapper().valueToTree(status);
    Set<String> fields = new TreeSet<>();
    json.fieldNames().forEachRemaining(fields::add);
    return fields;
  }

  private static Condition ready() {
    return new ConditionBuilder()
        .withType("Ready")
        .withStatus("False")
        .withReason("Training")
        .withLastTransitionTime("2025-03-01T10:00:00Z")
        .build();
  }
}
