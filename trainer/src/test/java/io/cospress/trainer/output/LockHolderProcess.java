package io.cospress.trainer.output;

import io.cospress.trainer.config.Confinement;
import java.nio.file.Path;

/**
 * Another process holding a run directory, as a second trainer on the same machine (or volume)
 * would: {@code java ... LockHolderProcess OUTPUT CHECKPOINTS} locks the run directory, prints
 * "locked", and lets go when its standard input closes.
 */
public final class LockHolderProcess {

  private LockHolderProcess() {}

  public static void main(String[] args) throws Exception {
    try (RunDirectory held =
        RunDirectory.inspect(
            Path.of(args[0]), Path.of(args[1]), Confinement.none(), System.err::println)) {
      held.lockAll();
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our standard input (or the process is killed)
      }
    }
  }
}
