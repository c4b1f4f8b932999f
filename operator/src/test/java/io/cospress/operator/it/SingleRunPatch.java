package io.cospress.operator.it;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.concurrent.TimeUnit;

/**
 * Exactly one PATCH request to a DistillationRun (no read before it, unlike the client's patch
 * DSL), so the reply is the API server's answer to that patch alone: its code, and for an error the
 * message of the Status it returned.
 */
final class SingleRunPatch {

  record Reply(int code, String body) {}

  private SingleRunPatch() {}

  /**
   * @param pathAfterRun appended to the run's URL: "" for the run, "/status" (and any query) for
   *     its status subresource
   */
  static Reply send(
      KubernetesClient client,
      String namespace,
      String run,
      String pathAfterRun,
      String contentType,
      String body)
      throws Exception {
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/apis/cospress.io/v1alpha1/namespaces/"
            + namespace
            + "/distillationruns/"
            + run
            + pathAfterRun;
    HttpResponse<String> response =
        client
            .getHttpClient()
            .sendAsync(
                client
                    .getHttpClient()
                    .newHttpRequestBuilder()
                    .uri(url)
                    .method("PATCH", contentType, body)
                    .build(),
                String.class)
            .get(30, TimeUnit.SECONDS);
    String text = response.body();
    if (response.code() >= 400 && text != null && text.startsWith("{")) {
      text = Serialization.unmarshal(text, Status.class).getMessage();
    }
    return new Reply(response.code(), text);
  }
}
