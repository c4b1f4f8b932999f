package io.cospress.trainer.metrics;

import io.cospress.trainer.loss.LossValues;
import io.cospress.trainer.report.MetricsReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The trainer's Prometheus metrics (docs/observability.md). Names follow Micrometer's Prometheus
 * mapping, e.g. {@code cospress.train.images} is scraped as {@code cospress_train_images_total}.
 * Labels are the run's namespace and name only.
 */
public final class TrainerMetrics {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter images;
  private final Counter steps;
  private final Timer stepTimer;
  private final AtomicReference<Double>[] loss;
  private final AtomicReference<Double> learningRate = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> imagesPerSecond = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> epoch = new AtomicReference<>(0.0);
  private final AtomicReference<Double> step = new AtomicReference<>(0.0);
  private final AtomicReference<Double> totalSteps = new AtomicReference<>(Double.NaN);
  private final AtomicReference<MetricsReport> evaluation =
      new AtomicReference<>(MetricsReport.NONE);
  private volatile long lastCheckpointMillis = -1;

  @SuppressWarnings("unchecked")
  public TrainerMetrics(MeterRegistry registry, String namespace, String run) {
    this.registry = registry;
    this.tags = Tags.of("namespace", namespace, "run", run);
    this.images =
        Counter.builder("cospress.train.images")
            .description("Training images processed")
            .tags(tags)
            .register(registry);
    this.steps =
        Counter.builder("cospress.train.steps")
            .description("Optimisation steps taken by this process")
            .tags(tags)
            .register(registry);
    this.stepTimer =
        Timer.builder("cospress.train.step.duration")
            .description("Wall time of one CosPress step (forward, backward, update)")
            .tags(tags)
            .register(registry);
    String[] terms = {"local", "global", "feature", "token", "total"};
    loss = new AtomicReference[terms.length];
    for (int i = 0; i < terms.length; i++) {
      AtomicReference<Double> ref = new AtomicReference<>(Double.NaN);
      loss[i] = ref;
      gauge(
          "cospress.train.loss",
          "CosPress loss term of the latest step",
          tags.and("term", terms[i]),
          ref::get);
    }
    gauge("cospress.train.learning.rate", "Current learning rate", tags, learningRate::get);
    gauge("cospress.train.images.per.second", "Training throughput", tags, imagesPerSecond::get);
    gauge("cospress.train.epoch", "Epochs completed", tags, epoch::get);
    gauge("cospress.train.step", "Optimisation steps taken", tags, step::get);
    gauge(
        "cospress.train.total.steps", "Optimisation steps of the whole run", tags, totalSteps::get);
    gauge(
        "cospress.eval.knn.accuracy",
        "Weighted kNN accuracy",
        tags.and("model", "student"),
        () -> value(evaluation.get().studentKnnAccuracy()));
    gauge(
        "cospress.eval.knn.accuracy",
        "Weighted kNN accuracy",
        tags.and("model", "teacher"),
        () -> value(evaluation.get().teacherKnnAccuracy()));
    gauge(
        "cospress.eval.agreement",
        "Teacher-student kNN agreement",
        tags,
        () -> value(evaluation.get().agreement()));
    gauge(
        "cospress.eval.ood.auroc",
        "OOD detection AUROC of the student",
        tags,
        () -> value(evaluation.get().oodAuroc()));
    gauge(
        "cospress.eval.ood.fpr95",
        "OOD false-positive rate at 95% TPR",
        tags,
        () -> value(evaluation.get().oodFpr95()));
    gauge(
        "cospress.eval.similarity.mae",
        "Cosine-similarity preservation error",
        tags,
        () -> value(evaluation.get().similarityMae()));
    gauge(
        "cospress.eval.similarity.spearman",
        "Cosine-similarity rank correlation",
        tags,
        () -> value(evaluation.get().similaritySpearman()));
    gauge(
        "cospress.checkpoint.age.seconds",
        "Seconds since the last checkpoint was written",
        tags,
        () ->
            lastCheckpointMillis < 0
                ? Double.NaN
                : (System.currentTimeMillis() - lastCheckpointMillis) / 1000.0);
  }

  private void gauge(String name, String help, Tags gaugeTags, Supplier<Double> value) {
    Gauge.builder(
            name,
            value,
            v -> {
              Double d = v.get();
              return d == null ? Double.NaN : d;
            })
        .description(help)
        .tags(gaugeTags)
        // Micrometer holds gauge state weakly; these suppliers exist only here.
        .strongReference(true)
        .register(registry);
  }

  private static double value(Double d) {
    return d == null ? Double.NaN : d;
  }

  public void recordStep(
      int batchSize, Duration duration, LossValues values, double lr, long stepCount) {
    images.increment(batchSize);
    steps.increment();
    stepTimer.record(duration);
    double[] v = {
      values.local(), values.global(), values.feature(), values.token(), values.total()
    };
    for (int i = 0; i < v.length; i++) {
      loss[i].set(v[i]);
    }
    learningRate.set(lr);
    step.set((double) stepCount);
  }

  public void recordThroughput(double imagesPerSec) {
    imagesPerSecond.set(imagesPerSec);
  }

  public void recordProgress(int epochsDone, long total) {
    epoch.set((double) epochsDone);
    totalSteps.set((double) total);
  }

  public void recordEvaluation(MetricsReport metrics) {
    evaluation.set(metrics);
  }

  public void recordCheckpoint() {
    lastCheckpointMillis = System.currentTimeMillis();
  }

  public MeterRegistry registry() {
    return registry;
  }
}
