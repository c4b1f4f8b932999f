package io.cospress.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD in crds/ is what the build generates from the model: one source of truth. */
class GeneratedCrdTest {

  static final String FILE = CosPressConstants.CRD_NAME + "-v1.yml";

  @Test
  void committedCrdMatchesTheGeneratedOne() throws Exception {
    Path generated =
        Path.of(
            System.getProperty("cospress.buildDir", "target"), "classes/META-INF/fabric8", FILE);
    Path committed = Path.of("../crds", FILE);
    assertThat(committed).exists();
    assertThat(Files.readString(committed))
        .as("crds/%s is stale (%s differs): run hack/update-crds.sh and commit", FILE, generated)
        .isEqualTo(Files.readString(generated));
  }
}
