package io.cospress.e2e.harness;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The trainer pods of a run, and the trainer process inside one as this machine sees it: the
 * cluster's containerd knows the host PID of each container's init process, which for the trainer
 * image is the JVM itself.
 */
public final class TrainerPods {

  private TrainerPods() {}

  /** All pods of the run's attempts, oldest first. */
  public static List<Pod> of(String namespace, String run) {
    return Cluster.client()
        .pods()
        .inNamespace(namespace)
        .withLabel(CosPressConstants.LABEL_RUN, run)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getLabels().containsKey(CosPressConstants.LABEL_ATTEMPT))
        .sorted(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .toList();
  }

  /** The pod of {@code attempt}, if it exists. */
  public static Optional<Pod> ofAttempt(String namespace, String run, int attempt) {
    return of(namespace, run).stream()
        .filter(
            p ->
                Integer.toString(attempt)
                    .equals(p.getMetadata().getLabels().get(CosPressConstants.LABEL_ATTEMPT)))
        .reduce((first, second) -> second);
  }

  /** The trainer container's status in {@code pod}. */
  public static Optional<ContainerStatus> trainer(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> "trainer".equals(c.getName()))
        .findFirst();
  }

  /** The host PID of the running trainer container of {@code pod} (the JVM). */
  public static long hostPid(Pod pod) {
    String containerId =
        trainer(pod)
            .map(ContainerStatus::getContainerID)
            .orElseThrow(
                () -> new AssertionError("pod " + name(pod) + " has no trainer container"));
    String id = containerId.substring(containerId.indexOf("://") + 3);
    Command.Result tasks =
        Command.run(
                List.of(
                    "ctr",
                    "--address",
                    E2eConfig.containerd().toString(),
                    "-n",
                    "k8s.io",
                    "tasks",
                    "ls"),
                null,
                Duration.ofSeconds(30))
            .requireSuccess();
    for (String line : tasks.stdout().split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 3 && fields[0].equals(id) && "RUNNING".equals(fields[2])) {
        return Long.parseLong(fields[1]);
      }
    }
    throw new AssertionError(
        "containerd runs no task " + id + " of pod " + name(pod) + ":\n" + tasks.stdout());
  }

  /**
   * Sends SIGKILL to the trainer process of {@code pod} from this machine, as the OOM killer would.
   */
  public static void killTrainer(Pod pod) {
    long pid = hostPid(pod);
    Command.run(List.of("kill", "-KILL", Long.toString(pid)), null, Duration.ofSeconds(10))
        .requireSuccess();
  }

  /**
   * Waits until the trainer of {@code attempt} has taken more than {@code minStep} optimisation
   * steps, read live from its {@code cospress_train_step} gauge on /metrics (the status is written
   * at most every five seconds; the gauge moves with every step). Returns the step seen.
   */
  public static long awaitLiveStep(String namespace, String run, int attempt, long minStep) {
    java.time.Instant deadline = java.time.Instant.now().plus(Duration.ofMinutes(4));
    while (java.time.Instant.now().isBefore(deadline)) {
      Optional<Pod> pod = ofAttempt(namespace, run, attempt);
      if (pod.isPresent()
          && ("Succeeded".equals(pod.get().getStatus().getPhase())
              || "Failed".equals(pod.get().getStatus().getPhase()))) {
        throw new AssertionError(
            namespace
                + "/"
                + run
                + " attempt "
                + attempt
                + " ended (pod "
                + name(pod.get())
                + " "
                + pod.get().getStatus().getPhase()
                + ") before step "
                + minStep
                + "; its log:\n"
                + logs(pod.get()));
      }
      if (pod.isPresent()
          && pod.get().getStatus().getPodIP() != null
          && trainer(pod.get()).map(c -> c.getState().getRunning() != null).orElse(false)) {
        String body =
            PodHttp.awaitBody(
                namespace,
                name(pod.get()),
                9400,
                "/metrics",
                b -> b.contains("cospress_train_step{"),
                Duration.ofMinutes(3));
        long step = gauge(body, "cospress_train_step");
        if (step > minStep) {
          return step;
        }
      }
      RunWatch.sleep(Duration.ofMillis(200));
    }
    throw new AssertionError(
        namespace + "/" + run + " attempt " + attempt + " never passed step " + minStep);
  }

  /** The value of the first sample of {@code metric} in a Prometheus text exposition. */
  public static long gauge(String exposition, String metric) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        String value = line.substring(line.lastIndexOf(' ') + 1);
        return (long) Double.parseDouble(value);
      }
    }
    throw new AssertionError("no " + metric + " in\n" + exposition);
  }

  /** The last state and log of a pod that has been deleted (evicted, or its Job removed). */
  public record Gone(Pod lastSeen, String log) {}

  /**
   * Follows a pod that is being deleted until it is gone, keeping the last state the API showed and
   * the trainer's log as last read: both disappear with the pod.
   */
  public static Gone followUntilGone(String namespace, String podName, Duration timeout) {
    java.time.Instant deadline = java.time.Instant.now().plus(timeout);
    Pod last = null;
    String log = "";
    while (java.time.Instant.now().isBefore(deadline)) {
      Pod pod = Cluster.client().pods().inNamespace(namespace).withName(podName).get();
      if (pod == null) {
        return new Gone(last, log);
      }
      last = pod;
      Command.Result logs = Kubectl.run("logs", "-n", namespace, podName, "-c", "trainer");
      if (logs.exitCode() == 0 && logs.stdout().length() >= log.length()) {
        log = logs.stdout();
      }
      RunWatch.sleep(Duration.ofMillis(200));
    }
    throw new AssertionError("pod " + namespace + "/" + podName + " still exists after " + timeout);
  }

  /** {@code kubectl logs} of the trainer container of {@code pod}. */
  public static String logs(Pod pod) {
    Command.Result logs =
        Kubectl.run("logs", "-n", pod.getMetadata().getNamespace(), name(pod), "-c", "trainer");
    return logs.stdout() + logs.stderr();
  }

  public static String name(Pod pod) {
    return pod.getMetadata().getName();
  }
}
