package io.cospress.operator.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TestRuns;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunEventsTest {

  private final List<Event> sent = new ArrayList<>();
  private final MutableClock clock = new MutableClock();
  private final RunEvents events = new RunEvents(sent::add, clock, Runnable::run);

  @Test
  void identicalEventOnTheSameRunWithinTheWindowIsSentOnce() {
    DistillationRun run = TestRuns.run("sweep-a");

    events.normal(run, "Pending", "phase none -> Pending: waiting for a node");
    clock.now = clock.now.plusSeconds(1);
    events.normal(run, "Pending", "phase none -> Pending: waiting for a node");

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).getInvolvedObject().getName()).isEqualTo("sweep-a");
    assertThat(sent.get(0).getReason()).isEqualTo("Pending");
  }

  @Test
  void otherMessagesOtherRunsAndRepeatsAfterTheWindowAreSent() {
    DistillationRun run = TestRuns.run("sweep-a");
    DistillationRun recreated = TestRuns.run("sweep-a");
    recreated.getMetadata().setUid("another-uid");

    events.warning(run, "AttemptFailed", "attempt 1 failed");
    events.warning(run, "AttemptFailed", "attempt 2 failed");
    events.warning(recreated, "AttemptFailed", "attempt 1 failed");
    clock.now = clock.now.plus(RunEvents.REPEAT_WINDOW);
    events.warning(run, "AttemptFailed", "attempt 1 failed");

    assertThat(sent)
        .extracting(e -> e.getInvolvedObject().getUid() + " " + e.getMessage())
        .containsExactly(
            TestRuns.UID + " attempt 1 failed",
            TestRuns.UID + " attempt 2 failed",
            "another-uid attempt 1 failed",
            TestRuns.UID + " attempt 1 failed");
  }

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
