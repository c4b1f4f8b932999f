package io.cospress.trainer.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * In a pod, the trainer's error lines also go to the container's termination message, which the
 * kubelet keeps in the pod status after the container exits: the operator copies it into the run's
 * status message, so a failed run says why without anyone reading logs.
 */
final class TerminationMessage {

  /** Kubernetes' default terminationMessagePath. */
  static final Path FILE = Path.of("/dev/termination-log");

  /** The kubelet keeps at most 4096 bytes of it. */
  static final int MAX_BYTES = 4096;

  private TerminationMessage() {}

  static void write(PodEnvironment pod, List<String> lines) {
    if (lines.isEmpty() || !pod.inPod() || !Files.isRegularFile(FILE)) {
      return;
    }
    byte[] text = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(FILE, Arrays.copyOf(text, Math.min(text.length, MAX_BYTES)));
    } catch (IOException | SecurityException e) {
      // The log still has the error; the message is a convenience.
    }
  }
}
