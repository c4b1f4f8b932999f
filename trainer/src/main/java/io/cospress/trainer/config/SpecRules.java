package io.cospress.trainer.config;

import io.cospress.api.v1alpha1.ArchitectureSpec;
import io.cospress.api.v1alpha1.DatasetFormat;
import io.cospress.api.v1alpha1.DatasetSpec;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.cospress.api.v1alpha1.SplitSpec;
import io.cospress.api.v1alpha1.StudentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules the structural schema cannot express: the CRD's CEL rules (the API server evaluates those
 * in a cluster; a local run evaluates them here) and cross-field rules of the trainer.
 */
final class SpecRules {

  private SpecRules() {}

  static List<String> check(DistillationRunSpec spec) {
    List<String> problems = new ArrayList<>();
    StudentSpec student = spec.getStudent();
    if ((student.getModel() == null) == (student.getArchitecture() == null)) {
      problems.add("spec.student: set exactly one of student.model or student.architecture");
    }
    ArchitectureSpec arch = student.getArchitecture();
    DatasetSpec dataset = spec.getDataset();
    if (arch != null && arch.getType() == ArchitectureSpec.Type.VIT) {
      if (arch.getWidth() % arch.getHeads() != 0) {
        problems.add(
            "spec.student.architecture.width: "
                + arch.getWidth()
                + " is not divisible by architecture.heads "
                + arch.getHeads());
      }
      if (dataset.getImageSize() % arch.getPatchSize() != 0) {
        problems.add(
            "spec.student.architecture.patchSize: image size "
                + dataset.getImageSize()
                + " is not a multiple of patch size "
                + arch.getPatchSize());
      }
    }
    for (Double tau : spec.getTraining().getTemperatures()) {
      if (tau == null || !(tau > 0)) {
        problems.add("spec.training.temperatures: every temperature must be > 0, got " + tau);
      }
    }
    checkChannels("spec.dataset.mean", dataset.getMean(), dataset.getChannels(), problems);
    checkChannels("spec.dataset.std", dataset.getStd(), dataset.getChannels(), problems);
    if (dataset.getStd() != null) {
      for (Double s : dataset.getStd()) {
        if (s == null || !(s > 0)) {
          problems.add("spec.dataset.std: every value must be > 0, got " + s);
        }
      }
    }
    if (dataset.getFormat() == DatasetFormat.IDX) {
      requireLabels("spec.dataset.train", dataset.getTrain(), problems);
      requireLabels("spec.dataset.validation", dataset.getValidation(), problems);
      // OOD scoring never reads labels, so the OOD split needs none.
    }
    if (dataset.getChannels() != 1 && dataset.getChannels() != 3) {
      problems.add(
          "spec.dataset.channels: must be 1 (grayscale) or 3 (RGB), got " + dataset.getChannels());
    }
    return problems;
  }

  private static void checkChannels(
      String field, List<Double> values, int channels, List<String> problems) {
    if (values != null && values.size() != channels) {
      problems.add(
          field + ": needs one value per channel (" + channels + "), got " + values.size());
    }
  }

  private static void requireLabels(String field, SplitSpec split, List<String> problems) {
    if (split != null && split.getLabels() == null) {
      problems.add(field + ".labels: required for the idx format");
    }
  }
}
