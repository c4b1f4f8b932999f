package io.cospress.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.ModelOutput;
import io.cospress.api.v1alpha1.StudentSpec;
import org.junit.jupiter.api.Test;

/**
 * The generated schema's defaults, applied as the API server applies them: the only place a spec's
 * defaults come from now that the model has no field initialisers.
 */
class SchemaDefaultsTest {

  @Test
  void anEmptySpecGetsEveryDefaultedSectionFilledAsTheApiServerStoresIt() {
    DistillationRunSpec spec = SchemaDefaults.of(new DistillationRunSpec());

    assertThat(spec.getTraining().getEpochs()).isEqualTo(100);
    assertThat(spec.getTraining().getTemperatures()).hasSize(10).startsWith(0.01);
    assertThat(spec.getTraining().getOptimizer().getLearningRate()).isEqualTo(5e-4);
    assertThat(spec.getTraining().getLossWeights().getToken()).isEqualTo(1.0);
    assertThat(spec.getCheckpoint().getPath()).isEqualTo("checkpoints");
    assertThat(spec.getEvaluation().getKnnK()).isEqualTo(200);
    assertThat(spec.getResources().getGpus()).isZero();
    assertThat(spec.getResources().getCpu()).isNull(); // the operator's install-wide default
    assertThat(spec.getMaxRestarts()).isEqualTo(DistillationRunSpec.DEFAULT_MAX_RESTARTS);
    assertThat(spec.getSuspend()).isFalse();
    // Required sections have no default of their own: absent stays absent.
    assertThat(spec.getTeacher()).isNull();
    assertThat(spec.getDataset()).isNull();
  }

  @Test
  void givenValuesWinAndNestedObjectsGetTheirOwnDefaults() {
    DistillationRunSpec given = new DistillationRunSpec();
    given.setStudent(new StudentSpec());
    given.getStudent().setModel("s.pt");

    DistillationRunSpec spec = SchemaDefaults.of(given);

    assertThat(spec.getStudent().getModel()).isEqualTo("s.pt");
    assertThat(spec.getStudent().getOutput()).isEqualTo(ModelOutput.TOKENS);
    assertThat(given.getStudent().getOutput()).as("the given spec is untouched").isNull();
  }

  @Test
  void aNullFieldIsDroppedAndDefaultedUnlessTheSchemaAllowsNull() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode training = json.readTree("{\"epochs\": null, \"seed\": 4}");

    SchemaDefaults.apply(training, CrdSchema.specSchema().path("properties").path("training"));

    assertThat(training.path("epochs").asInt()).isEqualTo(100);
    assertThat(training.path("seed").asInt()).isEqualTo(4);
  }
}
