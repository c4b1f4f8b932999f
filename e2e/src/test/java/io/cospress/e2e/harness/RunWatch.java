package io.cospress.e2e.harness;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Watches one run for the whole scenario and keeps every distinct status it went through, so a test
 * can assert the path (Pending, Running, Pending for a retry, Running, Succeeded), not only where
 * it ended. Waiting reads the live object from the API server.
 */
public final class RunWatch implements AutoCloseable {

  /** One status the run went through. */
  public record Seen(
      Instant at,
      RunPhase phase,
      String reason,
      Integer attempt,
      Integer restarts,
      Long step,
      String checkpoint,
      String message) {

    boolean sameStateAs(Seen other) {
      return other != null
          && phase == other.phase
          && Objects.equals(reason, other.reason)
          && Objects.equals(attempt, other.attempt)
          && Objects.equals(restarts, other.restarts)
          && Objects.equals(checkpoint, other.checkpoint);
    }
  }

  private final String namespace;
  private final String name;
  private final List<Seen> history = new ArrayList<>();
  private final SharedIndexInformer<DistillationRun> informer;

  private RunWatch(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
    this.informer =
        Cluster.runs()
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(DistillationRun run) {
                    record(run);
                  }

                  @Override
                  public void onUpdate(DistillationRun old, DistillationRun run) {
                    record(run);
                  }

                  @Override
                  public void onDelete(DistillationRun run, boolean unknownFinalState) {}
                });
  }

  /** Starts watching {@code namespace/name} (before or after the run is applied). */
  public static RunWatch of(String namespace, String name) {
    return new RunWatch(namespace, name);
  }

  public static RunWatch of(RunManifest manifest) {
    return of(manifest.namespace(), manifest.name());
  }

  private synchronized void record(DistillationRun run) {
    DistillationRunStatus s = run.getStatus();
    if (s == null) {
      return;
    }
    Seen seen =
        new Seen(
            Instant.now(),
            s.getPhase(),
            s.getReason(),
            s.getAttempt(),
            s.getRestarts() == null ? null : s.getRestarts().getTotal(),
            s.getProgress() == null ? null : s.getProgress().getStep(),
            s.getCheckpoint() == null ? null : s.getCheckpoint().getLatest(),
            s.getMessage());
    if (!seen.sameStateAs(history.isEmpty() ? null : history.get(history.size() - 1))) {
      history.add(seen);
    }
  }

  /** Every distinct status seen so far, oldest first. */
  public synchronized List<Seen> history() {
    return List.copyOf(history);
  }

  /** The phases the run went through, each change once (Running, Pending, Running, ...). */
  public synchronized List<RunPhase> phases() {
    List<RunPhase> phases = new ArrayList<>();
    for (Seen seen : history) {
      if (seen.phase() != null
          && (phases.isEmpty() || phases.get(phases.size() - 1) != seen.phase())) {
        phases.add(seen.phase());
      }
    }
    return phases;
  }

  /** The run as the API server has it now. */
  public DistillationRun current() {
    return Cluster.run(namespace, name);
  }

  public DistillationRun awaitPhase(RunPhase phase, Duration timeout) {
    return await("phase " + phase, timeout, r -> phaseOf(r) == phase);
  }

  /** Waits until {@code condition} holds for the live run; fails with its status and history. */
  public DistillationRun await(
      String what, Duration timeout, Predicate<DistillationRun> condition) {
    Instant deadline = Instant.now().plus(timeout);
    DistillationRun run = null;
    while (true) {
      try {
        run = current();
      } catch (RuntimeException e) {
        // The API server may be restarting (a scenario does that); ask again.
        run = null;
      }
      if (run != null && condition.test(run)) {
        return run;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            namespace
                + "/"
                + name
                + ": no "
                + what
                + " within "
                + timeout
                + "\nstatus now: "
                + (run == null ? "(no run)" : Serialization.asYaml(run.getStatus()))
                + "history:\n"
                + describeHistory());
      }
      sleep(Duration.ofMillis(500));
    }
  }

  public synchronized String describeHistory() {
    StringBuilder text = new StringBuilder();
    for (Seen s : history) {
      text.append("  ")
          .append(s.at())
          .append(' ')
          .append(s.phase())
          .append(' ')
          .append(s.reason())
          .append(" attempt=")
          .append(s.attempt())
          .append(" restarts=")
          .append(s.restarts())
          .append(" step=")
          .append(s.step())
          .append(" checkpoint=")
          .append(s.checkpoint())
          .append(" message=")
          .append(s.message())
          .append('\n');
    }
    return text.toString();
  }

  public static RunPhase phaseOf(DistillationRun run) {
    return run == null || run.getStatus() == null ? null : run.getStatus().getPhase();
  }

  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
