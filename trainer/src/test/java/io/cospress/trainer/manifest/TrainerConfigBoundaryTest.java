package io.cospress.trainer.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.trainer.config.TrainerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CR model ends where the manifest is read: what the rest of the trainer gets is a
 * configuration nobody can change after validation, and only the two boundaries (reading the
 * manifest, writing the run's status) name the CR types.
 */
class TrainerConfigBoundaryTest {

  private static final Path MAIN_SOURCES = Path.of("src/main/java/io/cospress/trainer");

  // CosPressConstants holds names shared with the operator (environment variables, field
  // managers), not CR types, so PodEnvironment may read them.
  private static final Pattern CR_TYPE_IMPORT =
      Pattern.compile(
          "^import io\\.cospress\\.api\\.v1alpha1\\.(?!CosPressConstants;)", Pattern.MULTILINE);

  @Test
  void aValidatedConfigCannotBeChangedByAnyPartOfTheTrainer() {
    TrainerConfig config =
        ManifestLoader.parse(
                ManifestLoaderTest.VALID.replace(
                    "channels: 1", "channels: 1\n    mean: [0.3]\n    std: [0.4]"),
                Path.of("/base"))
            .config();

    assertThatThrownBy(() -> config.training().temperatures().set(0, 9.0))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.dataset().mean().add(0.1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.dataset().std().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.recipe().put("spec.training.seed", "7"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(config.dataset().mean()).containsExactly(0.3);
  }

  @Test
  void onlyTheManifestReaderAndTheStatusWriterImportTheCrModel() throws IOException {
    Set<String> packages = new TreeSet<>();
    List<Path> importers;
    try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
      importers =
          files.filter(f -> f.toString().endsWith(".java")).filter(this::importsCrTypes).toList();
    }
    for (Path file : importers) {
      packages.add(MAIN_SOURCES.relativize(file).getName(0).toString());
    }

    assertThat(importers).as("the boundary classes exist where this test looks").isNotEmpty();
    assertThat(packages)
        .as("packages importing CR types: %s", importers)
        .containsOnly("manifest", "report");
  }

  private boolean importsCrTypes(Path file) {
    try {
      return CR_TYPE_IMPORT.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
