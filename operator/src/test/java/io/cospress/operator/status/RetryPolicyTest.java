package io.cospress.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.api.v1alpha1.RestartsStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = new RetryPolicy();

  @Test
  void preemptionIsRetriedWithoutLimitEvenWithAZeroBudget() {
    RestartsStatus restarts = RestartCounts.none();
    for (int i = 0; i < 50; i++) {
      RetryDecision decision = policy.decide(0, restarts, RestartCause.PREEMPTION);
      assertThat(decision.retry()).as("preemption %d", i + 1).isTrue();
      restarts = decision.restarts();
    }
    assertThat(restarts.getPreemption()).isEqualTo(50);
    assertThat(RestartCounts.budgetUsed(restarts)).isZero();
  }

  @Test
  void threeApplicationErrorsAreRetriedAndTheFourthGivesUp() {
    RestartsStatus restarts = RestartCounts.none();
    List<Boolean> retried = new ArrayList<>();
    RetryDecision decision = null;
    for (int failure = 1; failure <= 4; failure++) {
      decision = policy.decide(3, restarts, RestartCause.APPLICATION_ERROR);
      retried.add(decision.retry());
      restarts = decision.restarts();
    }

    assertThat(retried).containsExactly(true, true, true, false);
    assertThat(decision.reason()).isEqualTo(StatusReasons.RESTART_BUDGET_EXHAUSTED);
    assertThat(restarts.getApplicationError()).isEqualTo(3);
    assertThat(restarts.getTotal()).isEqualTo(3);
  }

  @Test
  void nodeLossUsesTheSameBudgetAsApplicationErrors() {
    RestartsStatus restarts = counts(2, 0, 1);

    RetryDecision decision = policy.decide(3, restarts, RestartCause.NODE_LOSS);

    assertThat(decision.retry()).isFalse();
    assertThat(decision.message()).contains("node was lost").contains("3");
  }

  @Test
  void earlierPreemptionsLeaveTheBudgetIntact() {
    RestartsStatus restarts = counts(2, 7, 0);

    RetryDecision decision = policy.decide(3, restarts, RestartCause.APPLICATION_ERROR);

    assertThat(decision.retry()).isTrue();
    assertThat(decision.restarts().getApplicationError()).isEqualTo(3);
    assertThat(decision.restarts().getPreemption()).isEqualTo(7);
    assertThat(decision.restarts().getTotal()).isEqualTo(10);
  }

  @Test
  void invalidInputIsNeverRetriedAndReportsTheTrainersMessage() {
    FailureClassification failure =
        new FailureClassification(
            RestartCause.INVALID_INPUT, "InvalidInput", "spec.dataset.format: unknown 'tarball'");

    RetryDecision decision = policy.decide(10, RestartCounts.none(), failure);

    assertThat(decision.retry()).isFalse();
    assertThat(decision.reason()).isEqualTo(StatusReasons.INVALID_INPUT);
    assertThat(decision.message()).isEqualTo("spec.dataset.format: unknown 'tarball'");
    assertThat(decision.delay()).isZero();
    assertThat(decision.restarts().getTotal()).isZero();
  }

  @Test
  void zeroBudgetGivesUpOnTheFirstApplicationError() {
    assertThat(policy.decide(0, null, RestartCause.APPLICATION_ERROR).retry()).isFalse();
  }

  @Test
  void backoffDoublesFromTenSecondsAndIsCappedAtTenMinutes() {
    List<Long> seconds = new ArrayList<>();
    for (int n = 1; n <= 9; n++) {
      seconds.add(policy.backoffDelay(n).toSeconds());
    }

    assertThat(seconds).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 600L, 600L, 600L);
  }

  @Test
  void backoffStaysAtTheCapForVeryLargeRestartNumbers() {
    assertThat(policy.backoffDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void restartNumbersStartAtOne() {
    assertThatThrownBy(() -> policy.backoffDelay(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void backoffCountsRestartsOfEveryCause() {
    RestartsStatus twoPreemptions = counts(0, 2, 0);

    RetryDecision decision = policy.decide(3, twoPreemptions, RestartCause.APPLICATION_ERROR);

    assertThat(decision.delay()).isEqualTo(Duration.ofSeconds(40));
  }

  @Test
  void retryMessageNamesTheNextAttemptAndTheDelay() {
    FailureClassification failure =
        new FailureClassification(RestartCause.APPLICATION_ERROR, "OOMKilled", "out of memory");

    RetryDecision decision = policy.decide(3, counts(1, 0, 0), failure);

    assertThat(decision.nextAttempt()).isEqualTo(3);
    assertThat(decision.reason()).isEqualTo(StatusReasons.BACKOFF_BEFORE_RETRY);
    assertThat(decision.message())
        .startsWith("attempt 3 starts in 20s after application error (OOMKilled")
        .contains("restart 2 of 3 allowed")
        .endsWith("out of memory");
  }

  @Test
  void givingUpKeepsTheCountsAsTheyWere() {
    RestartsStatus before = counts(3, 1, 0);

    RetryDecision decision = policy.decide(3, before, RestartCause.APPLICATION_ERROR);

    assertThat(decision.restarts()).isEqualTo(before);
  }

  @Test
  void retryIsDueOneBackoffAfterTheFailure() {
    Instant failedAt = Instant.parse("2025-03-01T10:00:00Z");

    assertThat(policy.retryDueAt(failedAt, 3)).isEqualTo(Instant.parse("2025-03-01T10:00:40Z"));
  }

  @Test
  void customDelaysMustBePositiveAndOrdered() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordingARestartReturnsAFreshObjectAndLeavesTheInputAlone() {
    RestartsStatus before = counts(1, 2, 0);

    RestartsStatus after = RestartCounts.after(before, RestartCause.NODE_LOSS);

    assertThat(after).isNotSameAs(before);
    assertThat(after.getTotal()).isEqualTo(4);
    assertThat(after.getNodeLoss()).isEqualTo(1);
    assertThat(after.getApplicationError()).isEqualTo(1);
    assertThat(after.getPreemption()).isEqualTo(2);
    assertThat(before.getTotal()).isEqualTo(3);
    assertThat(before.getNodeLoss()).isZero();
  }

  @Test
  void recordingARestartTreatsMissingCountsAsZero() {
    RestartsStatus sparse = new RestartsStatus();
    sparse.setTotal(null);
    sparse.setPreemption(null);

    RestartsStatus after = RestartCounts.after(sparse, RestartCause.PREEMPTION);

    assertThat(after.getTotal()).isEqualTo(1);
    assertThat(after.getPreemption()).isEqualTo(1);
    assertThat(RestartCounts.after(null, RestartCause.APPLICATION_ERROR).getApplicationError())
        .isEqualTo(1);
  }

  @Test
  void invalidInputIsNeverCountedAsARestart() {
    assertThatThrownBy(() -> RestartCounts.after(null, RestartCause.INVALID_INPUT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decisionsDoNotShareTheirCountsWithCallers() {
    RetryDecision decision = policy.decide(3, null, RestartCause.APPLICATION_ERROR);

    decision.restarts().setTotal(99);

    assertThat(decision.restarts().getTotal()).isEqualTo(1);
  }

  private static RestartsStatus counts(int applicationError, int preemption, int nodeLoss) {
    RestartsStatus restarts = new RestartsStatus();
    restarts.setApplicationError(applicationError);
    restarts.setPreemption(preemption);
    restarts.setNodeLoss(nodeLoss);
    restarts.setTotal(applicationError + preemption + nodeLoss);
    return restarts;
  }
}
