package io.cospress.trainer.train;

import io.cospress.api.v1alpha1.AugmentationSpec;
import io.cospress.api.v1alpha1.DatasetFormat;
import io.cospress.api.v1alpha1.DatasetSpec;
import io.cospress.api.v1alpha1.SplitSpec;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.config.TrainerDefaults;
import io.cospress.trainer.data.DatasetException;
import io.cospress.trainer.data.ImageSource;
import io.cospress.trainer.data.ImageSources;
import io.cospress.trainer.data.Subset;
import io.cospress.trainer.data.TransformConfig;
import io.cospress.trainer.model.Checksums;
import io.cospress.trainer.model.ModelInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The splits of a run, opened and checked, and the transforms that feed them to the models. */
record TrainingData(
    ImageSource train,
    ImageSource bank,
    ImageSource validation,
    ImageSource ood,
    TransformConfig trainTransform) {

  static TrainingData open(RunManifest manifest, int bankSize) throws IOException {
    DatasetSpec spec = manifest.run().getSpec().getDataset();
    long seed = manifest.run().getSpec().getTraining().getSeed();
    ImageSource train = split(manifest, spec, spec.getTrain(), "spec.dataset.train", seed);
    ImageSource validation =
        spec.getValidation() == null
            ? null
            : split(manifest, spec, spec.getValidation(), "spec.dataset.validation", seed);
    ImageSource ood =
        spec.getOod() == null
            ? null
            : split(manifest, spec, spec.getOod(), "spec.dataset.ood", seed);
    ImageSource bank = train.size() > bankSize ? Subset.stratified(train, bankSize, seed) : train;
    return new TrainingData(train, bank, validation, ood, transform(spec));
  }

  private static ImageSource split(
      RunManifest manifest, DatasetSpec spec, SplitSpec split, String field, long seed)
      throws IOException {
    Path images = manifest.resolve(field + ".path", split.getPath());
    if (!Files.exists(images)) {
      throw new ModelInputException(field + ".path: not found: " + images);
    }
    boolean folder = spec.getFormat() == DatasetFormat.IMAGE_FOLDER;
    if (folder) {
      InputFiles.requireDirectory(field + ".path", images);
    } else {
      InputFiles.requireRegularFile(field + ".path", images);
    }
    Path labels =
        split.getLabels() == null || folder
            ? null
            : manifest.resolve(field + ".labels", split.getLabels());
    if (labels != null && !Files.exists(labels)) {
      throw new ModelInputException(field + ".labels: not found: " + labels);
    }
    if (labels != null) {
      InputFiles.requireRegularFile(field + ".labels", labels);
    }
    if (split.getSha256() != null && !folder) {
      Checksums.verify(images, split.getSha256(), field + ".sha256");
    }
    ImageSource source;
    try {
      source =
          ImageSources.open(
              spec.getFormat(), images, labels, manifest.confinement(manifest.baseDir()));
      if (source.size() > 0) {
        source.image(0); // one decode now: a file the decoder refuses fails before training
      }
    } catch (DatasetException e) {
      throw new ModelInputException(field + ": " + e.getMessage(), e);
    }
    if (split.getLimit() != null && source.size() > split.getLimit()) {
      source = Subset.stratified(source, split.getLimit(), seed);
    }
    return source;
  }

  /**
   * The transform of training images. ManifestLoader fills in the trainer's defaults; they are
   * applied here again for specs built in code: an absent augmentation block means augmentation
   * with its documented defaults, absent mean and std the statistics of {@link TrainerDefaults}.
   */
  static TransformConfig transform(DatasetSpec spec) {
    int channels = spec.getChannels();
    double[] mean = values(spec.getMean(), TrainerDefaults.mean(channels));
    double[] std = values(spec.getStd(), TrainerDefaults.std(channels));
    AugmentationSpec aug =
        spec.getAugmentation() == null ? new AugmentationSpec() : spec.getAugmentation();
    if (Boolean.FALSE.equals(aug.getEnabled())) {
      return TransformConfig.evaluation(spec.getImageSize(), channels, mean, std);
    }
    return TransformConfig.training(
        spec.getImageSize(),
        channels,
        mean,
        std,
        aug.getCropScaleMin(),
        Boolean.TRUE.equals(aug.getHorizontalFlip()),
        aug.getColorJitter());
  }

  private static double[] values(List<Double> list, List<Double> fallback) {
    return (list == null ? fallback : list).stream().mapToDouble(Double::doubleValue).toArray();
  }
}
