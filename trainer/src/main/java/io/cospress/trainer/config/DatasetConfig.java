package io.cospress.trainer.config;

import io.cospress.trainer.data.DataFormat;
import java.util.List;
import java.util.Objects;

/**
 * The images of a run and how they become model input.
 *
 * @param validation held-out split for evaluation, or null (no evaluation)
 * @param ood out-of-distribution split, or null
 * @param mean per-channel mean (the manifest's, or the trainer's default for the channel count)
 * @param std per-channel standard deviation, likewise
 */
public record DatasetConfig(
    DataFormat format,
    SplitConfig train,
    SplitConfig validation,
    SplitConfig ood,
    int imageSize,
    int channels,
    List<Double> mean,
    List<Double> std,
    AugmentationConfig augmentation) {

  public DatasetConfig {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(augmentation, "augmentation");
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }
}
