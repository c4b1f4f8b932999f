package io.cospress.operator.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * CRDs of other projects (Kueue, prometheus-operator) installed into the test API server, so it
 * validates our examples' and chart's objects of those kinds against their real schemas. {@code
 * hack/third-party-crds.sh} fetches them through the Go module proxy into a cache.
 */
final class ThirdPartyCrds {

  private static final Set<String> INSTALLED = new HashSet<>();

  private ThirdPartyCrds() {}

  /** Installs the CRDs of {@code project} (a directory of the cache) once per API server. */
  static synchronized void install(String project) throws Exception {
    if (INSTALLED.contains(project)) {
      return;
    }
    Path dir = Path.of(System.getProperty("cospress.thirdPartyCrdDir", "")).resolve(project);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          "no "
              + project
              + " CRDs in "
              + dir
              + "; run hack/third-party-crds.sh (hack/test.sh does) and pass"
              + " -Dcospress.thirdPartyCrdDir=<its output>");
    }
    // Server-side apply: several of these CRDs are too large for client-side apply's annotation.
    Kubectl.Result applied =
        Kubectl.run(
            null,
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=cospress-it",
            "-f",
            dir.toString());
    if (applied.exitCode() != 0) {
      throw new IllegalStateException("installing " + project + " CRDs: " + applied.stderr());
    }
    Kubectl.Result established =
        Kubectl.run(
            null, "wait", "--for=condition=Established", "--timeout=60s", "-f", dir.toString());
    if (established.exitCode() != 0) {
      throw new IllegalStateException(project + " CRDs not established: " + established.stderr());
    }
    INSTALLED.add(project);
  }
}
