package io.cospress.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.operator.job.TrainerDefaults;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void emptyEnvironmentWatchesAllNamespacesWithTheReleasedDefaults() {
    OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of());

    assertThat(settings.watchNamespaces()).isEmpty();
    assertThat(settings.leaderElectionNamespace()).isNull();
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.trainer()).isEqualTo(TrainerDefaults.standard());
  }

  @Test
  void chartEnvironmentConfiguresNamespacesLeaseAndTrainerDefaults() {
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
            Map.of(
                "WATCH_NAMESPACES", " team-b, team-a ,,",
                "LEADER_ELECTION_NAMESPACE", "cospress-system",
                "HTTP_PORT", "9090",
                "TRAINER_IMAGE", "registry.local/trainer:1",
                "TRAINER_GPU_IMAGE", "registry.local/trainer:1-cuda",
                "TRAINER_DEFAULT_CPU", "8",
                "TRAINER_DEFAULT_MEMORY", "32Gi",
                "TRAINER_GPU_NODE_SELECTOR", "{\"pool\":\"gpu\"}",
                "TRAINER_GPU_TOLERATIONS",
                    "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]"));

    assertThat(settings.watchNamespaces()).containsExactly("team-a", "team-b");
    assertThat(settings.leaderElectionNamespace()).isEqualTo("cospress-system");
    assertThat(settings.httpPort()).isEqualTo(9090);
    TrainerDefaults trainer = settings.trainer();
    assertThat(trainer.imageFor(0)).isEqualTo("registry.local/trainer:1");
    assertThat(trainer.imageFor(1)).isEqualTo("registry.local/trainer:1-cuda");
    assertThat(trainer.cpu()).isEqualTo("8");
    assertThat(trainer.memory()).isEqualTo("32Gi");
    assertThat(trainer.gpuNodeSelector()).containsExactly(Map.entry("pool", "gpu"));
    assertThat(trainer.gpuTolerations())
        .singleElement()
        .extracting(Toleration::getKey, Toleration::getEffect)
        .containsExactly("gpu", "NoExecute");
  }

  @Test
  void emptyGpuTolerationListTurnsTheDefaultTolerationOff() {
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(Map.of("TRAINER_GPU_TOLERATIONS", "[]"));

    assertThat(settings.trainer().gpuTolerations()).isEmpty();
  }

  @Test
  void malformedJsonSettingNamesTheVariable() {
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnvironment(
                    Map.of("TRAINER_GPU_NODE_SELECTOR", "[\"not\", \"a map\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TRAINER_GPU_NODE_SELECTOR");
  }

  @Test
  void pendingLimitIsReadAsHoursMinutesAndSeconds() {
    assertThat(OperatorSettings.fromEnvironment(Map.of()).pendingStalledAfter())
        .isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(
            OperatorSettings.fromEnvironment(Map.of("PENDING_STALLED_AFTER", "1h30m"))
                .pendingStalledAfter())
        .isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(
            OperatorSettings.fromEnvironment(Map.of("PENDING_STALLED_AFTER", "90s"))
                .pendingStalledAfter())
        .isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(
            OperatorSettings.fromEnvironment(Map.of("PENDING_STALLED_AFTER", "0"))
                .pendingStalledAfter())
        .isZero();
  }

  @Test
  void malformedPendingLimitNamesTheVariable() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> OperatorSettings.fromEnvironment(Map.of("PENDING_STALLED_AFTER", "15 minutes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PENDING_STALLED_AFTER must be a duration");
  }

  @Test
  void reconcileThreadsMustBeAWholeNumberOfAtLeastOne() {
    assertThat(OperatorSettings.fromEnvironment(Map.of()).reconcileThreads())
        .isEqualTo(OperatorSettings.DEFAULT_RECONCILE_THREADS);
    assertThat(
            OperatorSettings.fromEnvironment(Map.of("RECONCILE_THREADS", "4")).reconcileThreads())
        .isEqualTo(4);
    for (String bad : new String[] {"0", "-2", "many"}) {
      assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("RECONCILE_THREADS", bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("RECONCILE_THREADS must be a whole number of at least 1");
    }
  }
}
