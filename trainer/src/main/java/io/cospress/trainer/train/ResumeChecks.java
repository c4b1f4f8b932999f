package io.cospress.trainer.train;

import io.cospress.trainer.checkpoint.Checkpoint;
import io.cospress.trainer.checkpoint.RunRecipe;
import io.cospress.trainer.model.ModelInputException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** What must hold before a session resumes from a checkpoint. */
final class ResumeChecks {

  private ResumeChecks() {}

  /**
   * A resume continues one training: with another teacher, student, data or optimisation recipe it
   * would silently mix two, so that is refused, naming each field that differs.
   */
  static void requireSameRecipe(Checkpoint checkpoint, Map<String, String> recipe) {
    Map<String, String> written = checkpoint.state().recipe();
    if (written == null) {
      return; // written before recipes were recorded: the seed check in restore() still warns
    }
    List<String> differences = RunRecipe.differences(written, recipe);
    if (!differences.isEmpty()) {
      throw new ModelInputException(
          "spec: checkpoint "
              + checkpoint.directory()
              + " was trained with another recipe: "
              + String.join("; ", differences)
              + ". Restore those fields to resume, or start the changed recipe in another"
              + " --output (or spec.checkpoint.path)");
    }
  }

  /**
   * Checkpoints from before recipes were recorded: a changed student type still gets a clear error.
   */
  static void requireStudentFile(Checkpoint checkpoint, String file, String wanted) {
    if (!Files.isRegularFile(checkpoint.file(file))) {
      throw new ModelInputException(
          "spec.student: checkpoint "
              + checkpoint.directory()
              + " holds no "
              + file
              + ", so it was not trained with "
              + wanted
              + " as the manifest now says; use another --output for a new student");
    }
  }
}
