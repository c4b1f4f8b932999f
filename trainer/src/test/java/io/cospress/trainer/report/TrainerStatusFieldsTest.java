package io.cospress.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

/**
 * The trainer's reports reach the run's status field for field: every value of a report appears
 * under the same name in the CR status (and status.json, which writes the report itself), and the
 * operator's fields stay unclaimed.
 */
class TrainerStatusFieldsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyReportedValueReachesTheStatusUnderItsOwnName() throws Exception {
    TrainerReport report =
        new TrainerReport(
            "Running",
            "note",
            filled(ProgressReport.class, 1),
            filled(MetricsReport.class, 100),
            filled(CheckpointReport.class, 1000));

    DistillationRunStatus status = TrainerStatusFields.of(report);

    assertThat(tree(status.getProgress())).isEqualTo(tree(report.progress())).hasSize(10);
    assertThat(tree(status.getMetrics())).isEqualTo(tree(report.metrics())).hasSize(13);
    assertThat(tree(status.getCheckpoint())).isEqualTo(tree(report.checkpoint())).hasSize(6);
    assertThat(status.getConditions()).isNull();
    assertThat(status.getPhase()).isNull();
  }

  @Test
  void absentPartsStayAbsent() {
    DistillationRunStatus status =
        TrainerStatusFields.of(new TrainerReport("Running", null, null, MetricsReport.NONE, null));

    assertThat(status.getProgress()).isNull();
    assertThat(status.getCheckpoint()).isNull();
    assertThat(status.getMetrics()).as("nothing measured: no metrics: {} to apply").isNull();
  }

  /**
   * What a retry resuming from a checkpoint reports first: where it continues from, nothing
   * measured yet. Serialized as the Kubernetes client sends it, it holds no empty object and no
   * null (server-side apply would turn {@code metrics: {}} into a null the CRD rejects).
   */
  @Test
  void aResumedTrainersFirstReportCarriesNoEmptyObjectAndNoNull() throws Exception {
    TrainerReport resumed =
        new TrainerReport(
            "Running",
            "training started",
            new ProgressReport(
                "1/4", 1, 4, 10L, 40L, 0.25, null, 1e-3, null, "2026-01-01T00:00:00Z"),
            MetricsReport.NONE,
            new CheckpointReport("ckpt-0000000010", 1, 10L, "2026-01-01T00:00:00Z", null, null));

    String json =
        io.fabric8.kubernetes.client.utils.Serialization.asJson(TrainerStatusFields.of(resumed));

    JsonNode status = JSON.readTree(json);
    assertThat(status.has("metrics")).as(json).isFalse();
    assertThat(status.path("checkpoint").path("latest").asText()).isEqualTo("ckpt-0000000010");
    assertThat(json).doesNotContain("null", "{}");
  }

  private static JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  /** A record with every component set to a distinct value, so a dropped one shows. */
  private static <T extends Record> T filled(Class<T> type, int seed) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      int v = seed + i;
      values[i] =
          switch (types[i].getSimpleName()) {
            case "String" -> "s" + v;
            case "Integer" -> v;
            case "Long" -> (long) v;
            case "Double" -> v + 0.5;
            default -> throw new IllegalArgumentException(types[i].toString());
          };
    }
    return type.getDeclaredConstructor(types).newInstance(values);
  }
}
