package io.cospress.e2e.harness;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/** HTTP to a pod's own address, which this machine reaches over the cluster's bridge. */
public final class PodHttp {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PodHttp() {}

  /** GET http://POD-IP:PORT/PATH until the body satisfies {@code accept}, or fail. */
  public static String awaitBody(
      String namespace,
      String podName,
      int port,
      String path,
      Predicate<String> accept,
      Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "(no answer)";
    while (Instant.now().isBefore(deadline)) {
      Pod pod = Cluster.client().pods().inNamespace(namespace).withName(podName).get();
      String ip = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      if (ip != null) {
        try {
          HttpResponse<String> response =
              HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + path))
                      .timeout(Duration.ofSeconds(3))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          last = response.statusCode() + " " + response.body();
          if (response.statusCode() == 200 && accept.test(response.body())) {
            return response.body();
          }
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      RunWatch.sleep(Duration.ofMillis(500));
    }
    throw new AssertionError(
        "GET "
            + path
            + " on port "
            + port
            + " of pod "
            + namespace
            + "/"
            + podName
            + " gave no acceptable answer within "
            + timeout
            + "; last: "
            + last);
  }
}
