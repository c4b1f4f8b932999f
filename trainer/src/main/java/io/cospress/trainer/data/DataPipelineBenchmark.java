package io.cospress.trainer.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Measures how many images per second the {@link BatchLoader} delivers, with nothing consuming
 * them, and prints one JSON object. Compared with the training step rate it tells whether data
 * loading or the model is the bottleneck.
 *
 * <p>Usage: {@code DataPipelineBenchmark --format idx|imageFolder --path P [--labels L]
 * [--image-size 224] [--channels C] [--batch 64] [--workers N] [--batches 200] [--warmup 5]
 * [--augment true|false] [--prefetch 3] [--limit N] [--seed 0]}. Runs past the end of an epoch
 * continue with the next epoch.
 */
public final class DataPipelineBenchmark {

  private DataPipelineBenchmark() {}

  /** Runs the benchmark; exits with status 2 on bad arguments. */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("DataPipelineBenchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println(run(options));
  }

  /** Runs the benchmark with parsed options and returns the JSON result. */
  static String run(Options o) {
    long loadStart = System.nanoTime();
    ImageSource source = ImageSources.open(o.format, o.path, o.labels, o.limit, o.seed);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    int channels = o.channels != null ? o.channels : (o.format == DataFormat.IDX ? 1 : 3);
    double[] half = new double[channels];
    Arrays.fill(half, 0.5);
    TransformConfig config =
        new TransformConfig(o.imageSize, channels, half, half, o.augment, 0.5, true, 0.2);

    Measurement warm = consume(source, config, o, 0, o.warmup);
    Measurement timed = consume(source, config, o, warm.epochAfter, o.batches);
    double imagesPerSecond = timed.images / timed.seconds;
    return String.format(
        Locale.ROOT,
        "{\"source\":\"%s\",\"format\":\"%s\",\"images\":%d,\"imageSize\":%d,\"channels\":%d,"
            + "\"batchSize\":%d,\"workers\":%d,\"prefetch\":%d,\"augment\":%b,\"batches\":%d,"
            + "\"imagesLoaded\":%d,\"seconds\":%.4f,\"imagesPerSecond\":%.1f,"
            + "\"batchesPerSecond\":%.2f,\"sourceOpenSeconds\":%.3f}",
        escape(source.describe()),
        o.format == DataFormat.IDX ? "idx" : "imageFolder",
        source.size(),
        o.imageSize,
        channels,
        o.batch,
        o.workers,
        o.prefetch,
        o.augment,
        timed.batches,
        timed.images,
        timed.seconds,
        imagesPerSecond,
        timed.batches / timed.seconds,
        loadSeconds);
  }

  private record Measurement(long images, int batches, double seconds, int epochAfter) {}

  // Consumes `batches` batches starting at the beginning of `epoch`, moving on to later epochs
  // as needed; loader start-up at each epoch is part of the measured time, as it is in training.
  private static Measurement consume(
      ImageSource source, TransformConfig config, Options o, int epoch, int batches) {
    long start = System.nanoTime();
    long images = 0;
    int done = 0;
    int currentEpoch = epoch;
    while (done < batches) {
      try (BatchLoader loader =
          BatchLoader.training(
              source, config, o.batch, o.seed, currentEpoch, 0, o.workers, o.prefetch)) {
        Batch batch;
        while (done < batches && (batch = loader.next()) != null) {
          images += batch.size();
          done++;
        }
      }
      currentEpoch++;
    }
    return new Measurement(images, done, (System.nanoTime() - start) / 1e9, currentEpoch);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Command-line options. */
  static final class Options {
    DataFormat format;
    Path path;
    Path labels;
    int imageSize = 224;
    Integer channels;
    int batch = 64;
    int workers = Runtime.getRuntime().availableProcessors();
    int batches = 200;
    int warmup = 5;
    boolean augment = true;
    int prefetch = BatchLoader.DEFAULT_PREFETCH_BATCHES;
    Integer limit;
    long seed;

    static Options parse(String[] args) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
        }
        values.put(args[i].substring(2), args[++i]);
      }
      Options o = new Options();
      String format = required(values, "format");
      switch (format) {
        case "idx" -> o.format = DataFormat.IDX;
        case "imageFolder" -> o.format = DataFormat.IMAGE_FOLDER;
        default ->
            throw new IllegalArgumentException(
                "--format must be idx or imageFolder, got " + format);
      }
      o.path = Path.of(required(values, "path"));
      if (values.containsKey("labels")) {
        o.labels = Path.of(values.remove("labels"));
      }
      o.imageSize = intOption(values, "image-size", o.imageSize);
      if (values.containsKey("channels")) {
        o.channels = intOption(values, "channels", 0);
      }
      o.batch = intOption(values, "batch", o.batch);
      o.workers = intOption(values, "workers", o.workers);
      o.batches = intOption(values, "batches", o.batches);
      o.warmup = intOption(values, "warmup", o.warmup);
      o.prefetch = intOption(values, "prefetch", o.prefetch);
      if (values.containsKey("limit")) {
        o.limit = intOption(values, "limit", 0);
      }
      if (values.containsKey("seed")) {
        o.seed = Long.parseLong(values.remove("seed"));
      }
      if (values.containsKey("augment")) {
        o.augment = Boolean.parseBoolean(values.remove("augment"));
      }
      if (!values.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + values.keySet());
      }
      if (o.batches <= 0 || o.warmup < 0) {
        throw new IllegalArgumentException("--batches must be > 0 and --warmup >= 0");
      }
      return o;
    }

    private static String required(Map<String, String> values, String name) {
      String value = values.remove(name);
      if (value == null) {
        throw new IllegalArgumentException("--" + name + " is required");
      }
      return value;
    }

    private static int intOption(Map<String, String> values, String name, int fallback) {
      String value = values.remove(name);
      if (value == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be an integer, got " + value);
      }
    }
  }
}
