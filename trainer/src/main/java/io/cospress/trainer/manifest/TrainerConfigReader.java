package io.cospress.trainer.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.cospress.api.v1alpha1.ArchitectureSpec;
import io.cospress.api.v1alpha1.AugmentationSpec;
import io.cospress.api.v1alpha1.CheckpointSpec;
import io.cospress.api.v1alpha1.DatasetFormat;
import io.cospress.api.v1alpha1.DatasetSpec;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.EvaluationSpec;
import io.cospress.api.v1alpha1.LossWeightsSpec;
import io.cospress.api.v1alpha1.ModelOutput;
import io.cospress.api.v1alpha1.OptimizerSpec;
import io.cospress.api.v1alpha1.SplitSpec;
import io.cospress.api.v1alpha1.StudentSpec;
import io.cospress.api.v1alpha1.TeacherSpec;
import io.cospress.api.v1alpha1.TrainingSpec;
import io.cospress.trainer.config.ArchitectureConfig;
import io.cospress.trainer.config.AugmentationConfig;
import io.cospress.trainer.config.CheckpointConfig;
import io.cospress.trainer.config.DatasetConfig;
import io.cospress.trainer.config.EvaluationConfig;
import io.cospress.trainer.config.OptimizerConfig;
import io.cospress.trainer.config.Precision;
import io.cospress.trainer.config.SplitConfig;
import io.cospress.trainer.config.StudentConfig;
import io.cospress.trainer.config.TeacherConfig;
import io.cospress.trainer.config.TrainerConfig;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.data.DataFormat;
import io.cospress.trainer.loss.LossWeights;
import io.cospress.trainer.model.OutputShape;
import io.cospress.trainer.optim.AdamWSettings;
import java.io.UncheckedIOException;

/**
 * Reads the trainer's configuration out of a run that the schema, its defaults, its CEL rules and
 * {@link TrainerDefaults} have already made complete and valid: the one place where the CR model
 * turns into the trainer's own immutable records.
 */
final class TrainerConfigReader {

  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private TrainerConfigReader() {}

  static TrainerConfig read(DistillationRun run) {
    DistillationRunSpec spec = run.getSpec();
    String name = run.getMetadata() == null ? null : run.getMetadata().getName();
    String namespace = run.getMetadata() == null ? null : run.getMetadata().getNamespace();
    return new TrainerConfig(
        name == null ? "run" : name,
        namespace == null ? "default" : namespace,
        teacher(spec.getTeacher()),
        student(spec.getStudent()),
        dataset(spec.getDataset()),
        training(
            spec.getTraining(), spec.getResources() == null ? null : spec.getResources().getGpus()),
        evaluation(spec.getEvaluation()),
        checkpoint(spec.getCheckpoint()),
        SpecRecipe.of(spec),
        effectiveManifest(run, name, namespace));
  }

  private static TeacherConfig teacher(TeacherSpec t) {
    return new TeacherConfig(t.getModel(), t.getSha256(), t.getSelect(), shape(t.getOutput()));
  }

  private static StudentConfig student(StudentSpec s) {
    return new StudentConfig(
        s.getModel(),
        s.getSha256(),
        s.getSelect(),
        shape(s.getOutput()),
        s.getArchitecture() == null ? null : architecture(s.getArchitecture()));
  }

  private static ArchitectureConfig architecture(ArchitectureSpec a) {
    return new ArchitectureConfig(
        a.getType() == ArchitectureSpec.Type.VIT
            ? ArchitectureConfig.Family.VIT
            : ArchitectureConfig.Family.RESNET,
        a.getPatchSize(),
        a.getWidth(),
        a.getDepth(),
        a.getHeads(),
        a.getMlpRatio(),
        a.getOutputDim());
  }

  private static OutputShape shape(ModelOutput output) {
    return output == ModelOutput.POOLED ? OutputShape.POOLED : OutputShape.TOKENS;
  }

  private static DatasetConfig dataset(DatasetSpec d) {
    AugmentationSpec a = d.getAugmentation();
    return new DatasetConfig(
        d.getFormat() == DatasetFormat.IMAGE_FOLDER ? DataFormat.IMAGE_FOLDER : DataFormat.IDX,
        split(d.getTrain()),
        split(d.getValidation()),
        split(d.getOod()),
        d.getImageSize(),
        d.getChannels(),
        d.getMean(),
        d.getStd(),
        new AugmentationConfig(
            a.getEnabled(), a.getCropScaleMin(), a.getHorizontalFlip(), a.getColorJitter()));
  }

  private static SplitConfig split(SplitSpec s) {
    return s == null
        ? null
        : new SplitConfig(s.getPath(), s.getLabels(), s.getSha256(), s.getLimit());
  }

  static TrainingConfig training(TrainingSpec t, Integer gpus) {
    OptimizerSpec o = t.getOptimizer();
    LossWeightsSpec w = t.getLossWeights();
    return new TrainingConfig(
        t.getEpochs(),
        t.getBatchSize(),
        new OptimizerConfig(
            o.getLearningRate(),
            o.getMinLearningRate(),
            o.getWarmupEpochs(),
            new AdamWSettings(
                o.getBeta1(),
                o.getBeta2(),
                o.getEpsilon(),
                o.getWeightDecay(),
                o.getGradientClipNorm())),
        t.getTemperatures(),
        new LossWeights(w.getLocal(), w.getGlobal(), w.getFeature(), w.getToken()),
        t.getPooledOnly(),
        t.getSeed(),
        precision(t.getPrecision()),
        gpus == null ? 0 : gpus);
  }

  private static Precision precision(io.cospress.api.v1alpha1.Precision p) {
    return p == null ? Precision.TF32 : Precision.valueOf(p.name());
  }

  private static EvaluationConfig evaluation(EvaluationSpec e) {
    return new EvaluationConfig(
        e.getIntervalEpochs(),
        e.getKnnK(),
        e.getKnnTemperature(),
        e.getBankSize(),
        e.getSimilaritySampleSize());
  }

  private static CheckpointConfig checkpoint(CheckpointSpec c) {
    return new CheckpointConfig(c.getPath(), c.getIntervalEpochs(), c.getKeep());
  }

  /** apiVersion, kind, name, namespace and the defaulted spec: itself a valid manifest. */
  private static String effectiveManifest(DistillationRun run, String name, String namespace) {
    ObjectNode tree = YAML.createObjectNode();
    tree.put("apiVersion", run.getApiVersion());
    tree.put("kind", run.getKind());
    ObjectNode metadata = tree.putObject("metadata");
    if (name != null) {
      metadata.put("name", name);
    }
    if (namespace != null) {
      metadata.put("namespace", namespace);
    }
    tree.set("spec", YAML.valueToTree(run.getSpec()));
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
