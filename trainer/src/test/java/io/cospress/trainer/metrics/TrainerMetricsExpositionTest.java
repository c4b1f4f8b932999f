package io.cospress.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.report.MetricsReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes from a trainer: names, types and labels of docs/observability.md. */
class TrainerMetricsExpositionTest {

  @Test
  void scrapeServesTheTrainerMetricsInPrometheusTextFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrainerMetrics metrics = new TrainerMetrics(registry, "team-a", "vit-small");
    metrics.recordStep(
        64, Duration.ofMillis(250), new LossValues(0.1, 0.2, 0.3, 0.4, 1.0), 5e-4, 7);
    metrics.recordThroughput(256);
    metrics.recordProgress(2, 100);
    metrics.recordEvaluation(
        new MetricsReport(
            null, null, null, null, null, 0.71, 0.83, null, null, null, null, null, 1));
    metrics.recordCheckpoint();

    try (MetricsServer server = MetricsServer.start(registry, 0)) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      String body = response.body();
      String labels = "namespace=\"team-a\",run=\"vit-small\"";
      assertThat(body)
          .contains("# TYPE cospress_train_images_total counter")
          .contains("cospress_train_images_total{" + labels + "} 64.0")
          .contains("# TYPE cospress_train_step_duration_seconds summary")
          .contains("cospress_train_step_duration_seconds_count{" + labels + "} 1")
          .contains("cospress_train_loss{" + labels + ",term=\"total\"} 1.0")
          .contains("cospress_train_loss{" + labels + ",term=\"local\"} 0.1")
          .contains("cospress_train_learning_rate{" + labels + "} 5.0E-4")
          .contains("cospress_train_images_per_second{" + labels + "} 256.0")
          .contains("cospress_train_epoch{" + labels + "} 2.0")
          .contains("cospress_train_step{" + labels + "} 7.0")
          .contains("cospress_eval_knn_accuracy{model=\"student\"," + labels + "} 0.71")
          .contains("cospress_eval_knn_accuracy{model=\"teacher\"," + labels + "} 0.83")
          .contains("# TYPE cospress_checkpoint_age_seconds gauge");
      assertThat(body).doesNotContainPattern("step=\"");
    }
  }
}
