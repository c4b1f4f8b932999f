package io.cospress.e2e.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The cluster's kubectl with its admin kubeconfig: how a user applies and inspects runs. */
public final class Kubectl {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private Kubectl() {}

  public static Command.Result run(String... args) {
    return runWithInput(null, args);
  }

  /** kubectl with {@code stdin} on its standard input (for {@code apply -f -}). */
  public static Command.Result runWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(E2eConfig.kubectl().toString());
    command.add("--kubeconfig=" + E2eConfig.kubeconfig());
    command.addAll(List.of(args));
    return Command.run(command, stdin, TIMEOUT);
  }

  /** {@code kubectl apply -f -} of {@code yaml}; fails the test if kubectl does. */
  public static String apply(String yaml, String... extra) {
    List<String> args = new ArrayList<>(List.of("apply", "-f", "-"));
    args.addAll(List.of(extra));
    return runWithInput(yaml, args.toArray(String[]::new)).requireSuccess().stdout();
  }
}
