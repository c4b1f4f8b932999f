package io.cospress.trainer.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the build's version from the jar manifest. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = CosPressTrainer.class.getPackage().getImplementationVersion();
    return new String[] {
      "cospress-trainer " + (version == null ? "development build" : version),
      "DJL 0.36.0, PyTorch engine (libtorch 2.7.1)"
    };
  }
}
