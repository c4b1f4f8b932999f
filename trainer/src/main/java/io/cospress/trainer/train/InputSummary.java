package io.cospress.trainer.train;

import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.config.StudentConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a session opened and checked, one line each: the head of {@code validate}'s output. */
final class InputSummary {

  private InputSummary() {}

  static List<String> lines(
      Path teacher,
      StudentConfig student,
      ModelShapes shapes,
      TrainingData data,
      int stepsPerEpoch,
      Optional<Checkpoint> resumedFrom,
      Path checkpoints) {
    List<String> lines = new ArrayList<>();
    lines.add("teacher " + teacher + ": output " + shapes.teacher() + " for 2 images");
    lines.add("student " + student.describe() + ": output " + shapes.student() + " for 2 images");
    lines.add("train: " + data.train().describe() + "; " + stepsPerEpoch + " steps per epoch");
    if (data.validation() != null) {
      lines.add("validation: " + data.validation().describe());
    }
    if (data.ood() != null) {
      lines.add("ood: " + data.ood().describe());
    }
    lines.add(
        resumedFrom
            .map(
                c ->
                    "resumes from "
                        + c.directory()
                        + " (epoch "
                        + c.state().epoch()
                        + ", step "
                        + c.state().step()
                        + ")")
            .orElse("starts fresh: no checkpoint in " + checkpoints));
    return lines;
  }
}
