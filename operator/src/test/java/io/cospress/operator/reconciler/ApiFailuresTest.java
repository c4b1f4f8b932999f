package io.cospress.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiFailuresTest {

  private static final KubernetesClientException FORBIDDEN =
      new KubernetesClientException(
          new StatusBuilder()
              .withCode(403)
              .withMessage("jobs.batch is forbidden: quota exceeded")
              .build());

  @Test
  void failedActionWrappedByJosdkIsDescribedByTheActionAndTheServersMessage() {
    Exception wrapped =
        new OperatorException(
            new ActionFailedException("creating Job x-a1 for attempt 1", FORBIDDEN));

    assertThat(ApiFailures.describe(wrapped))
        .isEqualTo(
            "creating Job x-a1 for attempt 1 failed: HTTP 403: jobs.batch is forbidden: quota"
                + " exceeded");
  }

  @Test
  void failedDependentIsNamed() {
    Exception workflow =
        new AggregatedOperatorException("workflow failed", Map.of("rolebinding", FORBIDDEN));

    assertThat(ApiFailures.describe(workflow))
        .isEqualTo(
            "applying rolebinding failed: HTTP 403: jobs.batch is forbidden: quota exceeded");
  }

  @Test
  void anythingElseKeepsItsTypeAndMessage() {
    assertThat(ApiFailures.describe(new IllegalStateException("boom")))
        .isEqualTo("IllegalStateException: boom");
  }
}
