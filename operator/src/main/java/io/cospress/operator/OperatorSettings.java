package io.cospress.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.cospress.operator.job.TrainerDefaults;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's configuration, read from its environment (the Helm chart sets it).
 *
 * @param watchNamespaces namespaces to watch; empty watches all (needs a ClusterRole)
 * @param leaderElectionNamespace where the Lease lives; null disables leader election (local runs)
 * @param httpPort port of /healthz, /readyz and /metrics
 * @param exitWhenLeadershipLost exit the process when the lease is lost, so a restarted pod rejoins
 *     as a standby instead of reconciling without the lease (off only in tests, which run the
 *     operator inside the test JVM)
 * @param pendingStalledAfter how long a trainer pod may stay Pending (unschedulable, image pull
 *     errors) before the run is reported Stalled; zero never reports it
 * @param reconcileThreads how many runs are reconciled at once (and the size of the pool that
 *     applies their dependents)
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    String leaderElectionNamespace,
    String leaseName,
    int httpPort,
    TrainerDefaults trainer,
    boolean exitWhenLeadershipLost,
    Duration pendingStalledAfter,
    int reconcileThreads) {

  /** The chart's default for {@code PENDING_STALLED_AFTER}. */
  public static final Duration DEFAULT_PENDING_STALLED_AFTER = Duration.ofMinutes(15);

  /**
   * The chart's default for {@code RECONCILE_THREADS}; see docs/operator.md for how it was chosen.
   */
  public static final int DEFAULT_RECONCILE_THREADS = 16;

  private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  public OperatorSettings {
    if (pendingStalledAfter == null || pendingStalledAfter.isNegative()) {
      throw new IllegalArgumentException("pendingStalledAfter must be zero or positive");
    }
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException("reconcileThreads must be at least 1");
    }
  }

  /** Settings with the default number of reconcile threads. */
  public OperatorSettings(
      Set<String> watchNamespaces,
      String leaderElectionNamespace,
      String leaseName,
      int httpPort,
      TrainerDefaults trainer,
      boolean exitWhenLeadershipLost,
      Duration pendingStalledAfter) {
    this(
        watchNamespaces,
        leaderElectionNamespace,
        leaseName,
        httpPort,
        trainer,
        exitWhenLeadershipLost,
        pendingStalledAfter,
        DEFAULT_RECONCILE_THREADS);
  }

  /** Settings with the default pending limit. */
  public OperatorSettings(
      Set<String> watchNamespaces,
      String leaderElectionNamespace,
      String leaseName,
      int httpPort,
      TrainerDefaults trainer,
      boolean exitWhenLeadershipLost) {
    this(
        watchNamespaces,
        leaderElectionNamespace,
        leaseName,
        httpPort,
        trainer,
        exitWhenLeadershipLost,
        DEFAULT_PENDING_STALLED_AFTER);
  }

  /** Settings for an operator that exits when it loses the lease, as a deployed one should. */
  public OperatorSettings(
      Set<String> watchNamespaces,
      String leaderElectionNamespace,
      String leaseName,
      int httpPort,
      TrainerDefaults trainer) {
    this(watchNamespaces, leaderElectionNamespace, leaseName, httpPort, trainer, true);
  }

  public static final String LEASE_NAME = "cospress-operator-lock";

  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    TrainerDefaults standard = TrainerDefaults.standard();
    return new OperatorSettings(
        parseNamespaces(env.getOrDefault("WATCH_NAMESPACES", "")),
        blankToNull(env.get("LEADER_ELECTION_NAMESPACE")),
        env.getOrDefault("LEADER_ELECTION_LEASE", LEASE_NAME),
        Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080")),
        new TrainerDefaults(
            env.getOrDefault("TRAINER_IMAGE", standard.cpuImage()),
            env.getOrDefault("TRAINER_GPU_IMAGE", standard.gpuImage()),
            env.getOrDefault("TRAINER_IMAGE_PULL_POLICY", standard.imagePullPolicy()),
            env.getOrDefault("TRAINER_DEFAULT_CPU", standard.cpu()),
            env.getOrDefault("TRAINER_DEFAULT_MEMORY", standard.memory()),
            json(env, "TRAINER_GPU_NODE_SELECTOR", STRING_MAP, standard.gpuNodeSelector()),
            json(env, "TRAINER_GPU_TOLERATIONS", TOLERATIONS, standard.gpuTolerations())),
        true,
        duration(env, "PENDING_STALLED_AFTER", DEFAULT_PENDING_STALLED_AFTER),
        positive(env, "RECONCILE_THREADS", DEFAULT_RECONCILE_THREADS));
  }

  /** A whole number of at least 1, or the fallback if unset. */
  static int positive(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a whole number of at least 1; got " + value);
  }

  /** A duration such as 90s, 15m or 1h30m (hours, minutes, seconds), or the fallback if unset. */
  static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    Matcher parts = DURATION.matcher(value.trim());
    if (value.trim().equals("0")) {
      return Duration.ZERO;
    }
    if (!parts.matches()
        || (parts.group(1) == null && parts.group(2) == null && parts.group(3) == null)) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 90s, 15m or 1h30m, or 0; got " + value);
    }
    return Duration.ofHours(number(parts.group(1)))
        .plusMinutes(number(parts.group(2)))
        .plusSeconds(number(parts.group(3)));
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<Toleration>> TOLERATIONS = new TypeReference<>() {};

  /** A JSON-valued variable (the chart renders values with toJson), or the fallback if unset. */
  private static <T> T json(
      Map<String, String> env, String name, TypeReference<T> type, T fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      T parsed = Serialization.jsonMapper().readValue(value, type);
      if (parsed == null) {
        throw new IllegalArgumentException(name + " must not be null");
      }
      return parsed;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          name + " is not valid JSON of the expected shape: " + e.getOriginalMessage(), e);
    }
  }

  static Set<String> parseNamespaces(String value) {
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
