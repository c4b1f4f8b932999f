package io.cospress.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.operator.reconciler.TrainerStop.Stopped;
import io.cospress.operator.reconciler.TrainerStop.TimedOut;
import io.cospress.operator.reconciler.TrainerStop.Waiting;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How long a run being deleted waits for its trainer pods before its checkpoints are removed. */
class TrainerStopTest {

  private static final Instant REQUESTED = Instant.parse("2026-01-10T12:00:00Z");
  private static final Duration RECHECK = Duration.ofSeconds(2);

  @Test
  void noTrainerPodMeansStopped() {
    assertThat(TrainerStop.judge(List.of(), REQUESTED, REQUESTED, RECHECK))
        .isInstanceOf(Stopped.class);
  }

  @Test
  void finishedTrainerPodsCountAsStopped() {
    List<Pod> pods =
        List.of(pod("a1-x", "Succeeded", null, 180L), pod("a2-x", "Failed", null, 180L));

    assertThat(TrainerStop.judge(pods, REQUESTED, REQUESTED, RECHECK)).isInstanceOf(Stopped.class);
  }

  @Test
  void aRunningPodIsWaitedForThroughItsGracePeriodAndTheMargin() {
    Pod pod = pod("a1-x", "Running", null, 180L);
    Instant lastMoment = REQUESTED.plusSeconds(180).plus(TrainerStop.MARGIN).minusMillis(1);

    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, REQUESTED, RECHECK))
        .isEqualTo(new Waiting(RECHECK));
    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, lastMoment, RECHECK))
        .isEqualTo(new Waiting(Duration.ofMillis(1)));
    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, lastMoment.plusMillis(1), RECHECK))
        .isEqualTo(new TimedOut(List.of("a1-x")));
  }

  @Test
  void aPodMarkedForDeletionIsWaitedForUntilItsDeletionTimestampPlusTheMargin() {
    // The API server sets a pod's deletionTimestamp to the request's time plus its grace period.
    Instant goneBy = REQUESTED.plusSeconds(300);
    Pod pod = pod("a1-x", "Running", goneBy, 180L);

    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, REQUESTED.plusSeconds(250), RECHECK))
        .isEqualTo(new Waiting(RECHECK));
    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, goneBy.plus(TrainerStop.MARGIN), RECHECK))
        .isInstanceOf(TimedOut.class);
  }

  @Test
  void aPodWithoutAGracePeriodGetsKubernetesDefaultOfThirtySeconds() {
    Pod pod = pod("a1-x", "Pending", null, null);
    Instant justAfter = REQUESTED.plusSeconds(30).plus(TrainerStop.MARGIN);

    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, justAfter.minusSeconds(1), RECHECK))
        .isInstanceOf(Waiting.class);
    assertThat(TrainerStop.judge(List.of(pod), REQUESTED, justAfter, RECHECK))
        .isInstanceOf(TimedOut.class);
  }

  @Test
  void theSlowestLivePodSetsTheDeadlineAndOnlyLivePodsAreNamed() {
    List<Pod> pods =
        List.of(
            pod("a1-x", "Running", REQUESTED.plusSeconds(10), 10L),
            pod("a2-x", "Running", REQUESTED.plusSeconds(200), 200L),
            pod("a3-x", "Failed", null, 180L));

    assertThat(
            TrainerStop.judge(
                pods, REQUESTED, REQUESTED.plusSeconds(10).plus(TrainerStop.MARGIN), RECHECK))
        .isInstanceOf(Waiting.class);
    assertThat(
            TrainerStop.judge(
                pods, REQUESTED, REQUESTED.plusSeconds(200).plus(TrainerStop.MARGIN), RECHECK))
        .isEqualTo(new TimedOut(List.of("a1-x", "a2-x")));
  }

  private static Pod pod(String name, String phase, Instant deletion, Long graceSeconds) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withDeletionTimestamp(deletion == null ? null : deletion.toString())
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(graceSeconds)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }
}
