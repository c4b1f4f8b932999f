package io.cospress.trainer.train;

import io.cospress.trainer.config.AugmentationConfig;
import io.cospress.trainer.config.DatasetConfig;
import io.cospress.trainer.config.InputFiles;
import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.config.SplitConfig;
import io.cospress.trainer.data.DataFormat;
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

  static TrainingData open(RunManifest manifest) throws IOException {
    DatasetConfig spec = manifest.config().dataset();
    long seed = manifest.config().training().seed();
    int bankSize = manifest.config().evaluation().bankSize();
    ImageSource train = split(manifest, spec, spec.train(), "spec.dataset.train", seed);
    ImageSource validation =
        spec.validation() == null
            ? null
            : split(manifest, spec, spec.validation(), "spec.dataset.validation", seed);
    ImageSource ood =
        spec.ood() == null ? null : split(manifest, spec, spec.ood(), "spec.dataset.ood", seed);
    ImageSource bank = train.size() > bankSize ? Subset.stratified(train, bankSize, seed) : train;
    return new TrainingData(train, bank, validation, ood, transform(spec));
  }

  private static ImageSource split(
      RunManifest manifest, DatasetConfig spec, SplitConfig split, String field, long seed)
      throws IOException {
    Path images = manifest.resolve(field + ".path", split.path());
    if (!Files.exists(images)) {
      throw new ModelInputException(field + ".path: not found: " + images);
    }
    boolean folder = spec.format() == DataFormat.IMAGE_FOLDER;
    if (folder) {
      InputFiles.requireDirectory(field + ".path", images);
    } else {
      InputFiles.requireRegularFile(field + ".path", images);
    }
    Path labels =
        split.labels() == null || folder
            ? null
            : manifest.resolve(field + ".labels", split.labels());
    if (labels != null && !Files.exists(labels)) {
      throw new ModelInputException(field + ".labels: not found: " + labels);
    }
    if (labels != null) {
      InputFiles.requireRegularFile(field + ".labels", labels);
    }
    if (split.sha256() != null && !folder) {
      Checksums.verify(images, split.sha256(), field + ".sha256");
    }
    ImageSource source;
    try {
      source =
          ImageSources.open(
              spec.format(), images, labels, manifest.confinement(manifest.baseDir()));
      if (source.size() > 0) {
        source.image(0); // one decode now: a file the decoder refuses fails before training
      }
    } catch (DatasetException e) {
      throw new ModelInputException(field + ": " + e.getMessage(), e);
    }
    if (split.limit() != null && source.size() > split.limit()) {
      source = Subset.stratified(source, split.limit(), seed);
    }
    return source;
  }

  /** The transform of training images: the manifest's size, normalisation and augmentation. */
  static TransformConfig transform(DatasetConfig spec) {
    double[] mean = values(spec.mean());
    double[] std = values(spec.std());
    AugmentationConfig aug = spec.augmentation();
    if (!aug.enabled()) {
      return TransformConfig.evaluation(spec.imageSize(), spec.channels(), mean, std);
    }
    return TransformConfig.training(
        spec.imageSize(),
        spec.channels(),
        mean,
        std,
        aug.cropScaleMin(),
        aug.horizontalFlip(),
        aug.colorJitter());
  }

  private static double[] values(List<Double> list) {
    return list.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
