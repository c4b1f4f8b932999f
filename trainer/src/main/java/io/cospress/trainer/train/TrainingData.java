package io.cospress.trainer.train;

import io.cospress.api.v1alpha1.AugmentationSpec;
import io.cospress.api.v1alpha1.DatasetSpec;
import io.cospress.api.v1alpha1.SplitSpec;
import io.cospress.trainer.config.RunManifest;
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

  private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
  private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

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
    Path labels =
        split.getLabels() == null ? null : manifest.resolve(field + ".labels", split.getLabels());
    if (labels != null && !Files.exists(labels)) {
      throw new ModelInputException(field + ".labels: not found: " + labels);
    }
    if (split.getSha256() != null && Files.isRegularFile(images)) {
      Checksums.verify(images, split.getSha256(), field + ".sha256");
    }
    ImageSource source;
    try {
      source = ImageSources.open(spec.getFormat(), images, labels);
    } catch (DatasetException e) {
      throw new ModelInputException(field + ": " + e.getMessage(), e);
    }
    if (split.getLimit() != null && source.size() > split.getLimit()) {
      source = Subset.stratified(source, split.getLimit(), seed);
    }
    return source;
  }

  static TransformConfig transform(DatasetSpec spec) {
    int channels = spec.getChannels();
    double[] mean = values(spec.getMean(), channels == 3 ? IMAGENET_MEAN : new double[] {0.5});
    double[] std = values(spec.getStd(), channels == 3 ? IMAGENET_STD : new double[] {0.5});
    AugmentationSpec aug = spec.getAugmentation();
    if (aug == null || !Boolean.TRUE.equals(aug.getEnabled())) {
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

  private static double[] values(List<Double> list, double[] fallback) {
    return list == null ? fallback : list.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
