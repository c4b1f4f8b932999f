package io.cospress.api.crd;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates the DistillationRun CRD from the model, as the build's {@code process-test-classes}
 * step: Fabric8's CRD generator with {@link CrdConventions} as its post-processor, which the
 * generator's Maven plugin cannot be given. Usage: {@code GenerateCrd <output directory>}.
 */
public final class GenerateCrd {

  private GenerateCrd() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: GenerateCrd <output directory>");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    new CRDGenerator()
        .customResourceClasses(DistillationRun.class)
        .forCRDVersions("v1")
        .withPostProcessor(new CrdConventions(DistillationRun.class))
        .inOutputDir(new File(out.toString()))
        .detailedGenerate();
  }
}
