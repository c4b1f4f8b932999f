package io.cospress.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.trainer.config.RunManifest;
import io.cospress.trainer.model.ModelInputException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that only show when the files are opened: each fails before training starts, with a
 * message naming the field and the file, and leaves nothing behind.
 */
class ModelInputErrorsTest {

  @TempDir Path work;

  private static String testModel(String name) {
    try {
      return Path.of(ModelInputErrorsTest.class.getResource("/models/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private String manifest(String teacherBlock, String studentBlock, String training) {
    return SampleRun.manifest(256, 1, false, training)
        .replace("    model: models/teacher-vit-fmnist.pt\n", teacherBlock)
        .replace("    model: models/student-vit-tiny.pt\n", studentBlock);
  }

  private static String model(String path, String extra) {
    return "    model: " + path + "\n" + extra;
  }

  private void assertRejected(String yaml, String... fragments) throws Exception {
    RunManifest manifest = SampleRun.load(work, yaml);
    Path output = work.resolve("out");
    assertThatThrownBy(() -> SampleRun.open(manifest, output, null).close())
        .isInstanceOf(ModelInputException.class)
        .satisfies(
            e -> {
              for (String fragment : fragments) {
                assertThat(e.getMessage()).contains(fragment);
              }
            });
    assertThat(Files.exists(output)).as("nothing written for a bad input").isFalse();
  }

  private void assertAccepted(String yaml) throws Exception {
    RunManifest manifest = SampleRun.load(work, yaml);
    SampleRun.open(manifest, work.resolve("out"), null).close();
  }

  @Test
  void missingTeacherNamesTheFieldAndPath() throws Exception {
    assertRejected(
        manifest(model("/nowhere/teacher.pt", ""), model(testModel("student-patch4.pt"), ""), ""),
        "spec.teacher.model",
        "file not found",
        "/nowhere/teacher.pt");
  }

  @Test
  void missingStudentNamesTheFieldAndPath() throws Exception {
    assertRejected(
        manifest(
            model(testModel("teacher-tuple.pt"), "    select: \"1\"\n"),
            model("/nowhere/student.pt", ""),
            ""),
        "spec.student.model",
        "/nowhere/student.pt");
  }

  @Test
  void teacherChecksumMismatchIsRejected() throws Exception {
    String wrong = "ab".repeat(32);
    assertRejected(
        manifest(
            model(testModel("teacher-tuple.pt"), "    select: \"1\"\n    sha256: " + wrong + "\n"),
            model(testModel("student-patch4.pt"), ""),
            ""),
        "spec.teacher.sha256",
        "checksum mismatch",
        "teacher-tuple.pt",
        wrong);
  }

  @Test
  void corruptTeacherFileIsRejectedAsNotTorchScript() throws Exception {
    Path junk = work.resolve("junk.pt");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5});
    assertRejected(
        manifest(model(junk.toString(), ""), model(testModel("student-patch4.pt"), ""), ""),
        "spec.teacher.model",
        "cannot load",
        "junk.pt",
        "as TorchScript");
  }

  @Test
  void pooledTeacherDeclaredAsTokensIsRejectedWithTheShape() throws Exception {
    assertRejected(
        manifest(
            model(testModel("teacher-pooled.pt"), ""),
            model(testModel("student-patch4.pt"), ""),
            ""),
        "spec.teacher.output",
        "teacher-pooled.pt",
        "(2, 16)",
        "'tokens'",
        "[B,T,D]");
  }

  @Test
  void tokenGridMismatchExplainsTheFix() throws Exception {
    assertRejected(
        manifest(
            model(testModel("teacher-tuple.pt"), "    select: \"1\"\n"),
            model(testModel("student-patch7.pt"), ""),
            ""),
        "token-grid mismatch",
        "gives 50 tokens",
        "student-patch7.pt",
        "gives 17",
        "pooledOnly");
  }

  @Test
  void pooledOnlyRunAcceptsDifferentTokenGrids() throws Exception {
    assertAccepted(
        manifest(
            model(testModel("teacher-tuple.pt"), "    select: \"1\"\n"),
            model(testModel("student-patch7.pt"), ""),
            "    pooledOnly: true\n"));
  }

  @Test
  void multiOutputTeacherNeedsASelection() throws Exception {
    assertRejected(
        manifest(
            model(testModel("teacher-tuple.pt"), ""),
            model(testModel("student-patch4.pt"), ""),
            ""),
        "returns 2 outputs",
        "select");
  }

  @Test
  void dictOutputIsSelectedByKeyAndUnknownKeysAreListed() throws Exception {
    assertAccepted(
        manifest(
            model(testModel("teacher-dict.pt"), "    select: tokens\n"),
            model(testModel("student-patch4.pt"), ""),
            ""));
    assertRejected(
        manifest(
            model(testModel("teacher-dict.pt"), "    select: logits\n"),
            model(testModel("student-patch4.pt"), ""),
            ""),
        "no output named 'logits'",
        "pooled",
        "tokens");
  }

  @Test
  void pooledTeacherWithPooledStudentOutputIsAccepted() throws Exception {
    assertAccepted(
        manifest(
            model(testModel("teacher-pooled.pt"), "    output: pooled\n"),
            model(testModel("student-patch4.pt"), ""),
            "    pooledOnly: true\n"));
  }

  @Test
  void missingDatasetFileNamesTheSplit() throws Exception {
    String yaml =
        manifest(
                model(testModel("teacher-tuple.pt"), "    select: \"1\"\n"),
                model(testModel("student-patch4.pt"), ""),
                "")
            .replace("data/fashion-mnist-sample/train-images-idx3-ubyte.gz", "data/absent.gz");
    assertRejected(yaml, "spec.dataset.train.path", "not found", "absent.gz");
  }

  @Test
  void batchLargerThanTheTrainingSplitIsRejected() throws Exception {
    String yaml =
        manifest(
                model(testModel("teacher-tuple.pt"), "    select: \"1\"\n"),
                model(testModel("student-patch4.pt"), ""),
                "")
            .replace("limit: 256", "limit: 32");
    assertRejected(yaml, "spec.training.batchSize", "larger than the training split");
  }
}
