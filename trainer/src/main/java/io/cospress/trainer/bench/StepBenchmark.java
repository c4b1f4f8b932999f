package io.cospress.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.trainer.config.Precision;
import io.cospress.trainer.config.TrainingConfig;
import io.cospress.trainer.manifest.ManifestLoader;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.train.CosPressStep;
import io.cospress.trainer.train.ImageBatchBuffer;
import io.cospress.trainer.train.ModelFiles;
import io.cospress.trainer.train.ModelShapes;
import io.cospress.trainer.train.StepParts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the CosPress training step (the same {@link CosPressStep}, head, optimizer and objective
 * the trainer runs, built by the same {@link StepParts}, with the schema's default recipe) on
 * random images and reports images per second and memory. The PyTorch reference, {@code
 * tools/bench_pytorch_step.py}, runs the same models, batch and threads; {@code hack/benchmark.sh}
 * runs both and prints the ratio.
 */
@Command(name = "step-benchmark", mixinStandardHelpOptions = true)
public final class StepBenchmark implements Callable<Integer> {

  @Option(names = "--teacher", required = true)
  Path teacherFile;

  @Option(names = "--student", required = true)
  Path studentFile;

  @Option(names = "--batch", defaultValue = "64")
  int batch;

  @Option(names = "--image-size", defaultValue = "28")
  int imageSize;

  @Option(names = "--channels", defaultValue = "1")
  int channels;

  @Option(names = "--steps", defaultValue = "50")
  int steps;

  @Option(names = "--warmup", defaultValue = "5")
  int warmup;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu.")
  String device;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description =
          "fp32, tf32 (needs TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 in the environment) or bf16.")
  Precision precision;

  @Option(
      names = "--replicas",
      defaultValue = "1",
      description =
          "Data-parallel replicas: GPUs 0..N-1 with --device gpu; N replicas sharing the CPU"
              + " otherwise (a check of the replica path, not a speed-up).")
  int replicas;

  @Option(
      names = "--rss-every",
      defaultValue = "0",
      description = "Print resident memory to stderr every N timed steps (0: never).")
  int rssEvery;

  @Option(
      names = "--profile",
      description =
          "After the timed steps, profile one more step with libtorch's operator profiler and"
              + " write a Chrome trace here (phase boundaries to FILE.phases.json).")
  Path profile;

  public static void main(String[] args) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    System.exit(
        new CommandLine(new StepBenchmark())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Device> devices = devices();
    Device first = devices.get(0);
    ModelFiles files = new ModelFiles(teacherFile, studentFile);
    try (NDManager manager = NDManager.newBaseManager(first);
        TorchScriptModel teacher = files.loadTeacher(first);
        TorchScriptStudent student = files.loadStudent(first)) {
      float[] pixels = new float[batch * channels * imageSize * imageSize];
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) random.nextGaussian();
      }
      Shape shape = new Shape(batch, channels, imageSize, imageSize);
      ModelShapes shapes = ModelShapes.measure(teacher, student, manager, channels, imageSize);
      if (batch < devices.size()) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--batch: must be at least --replicas");
      }
      try (StepParts parts =
          StepParts.build(
              manager, teacher, student, shapes, training(), Optional.empty(), devices, files)) {
        CosPressStep step = parts.step();
        for (int i = 0; i < warmup; i++) {
          runStep(manager, step, pixels, shape, new PhaseClock(false));
        }
        PhaseClock phases = new PhaseClock(false);
        long rssStart = residentKiB();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          runStep(manager, step, pixels, shape, phases);
          if (rssEvery > 0 && (i + 1) % rssEvery == 0) {
            System.err.printf(Locale.ROOT, "step %d rss %.1f MiB%n", i + 1, residentKiB() / 1024.0);
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long rssEnd = residentKiB();
        if (profile != null) {
          PhaseClock profiled = new PhaseClock(true);
          NativeProfile.record(
              profile, profiled, () -> runStep(manager, step, pixels, shape, profiled));
        }
        System.gc();
        long heapUsed =
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        System.out.println(
            String.format(
                Locale.ROOT,
                "{\"images_per_second\": %.2f, \"step_seconds_mean\": %.5f, \"steps\": %d,"
                    + " \"batch\": %d, \"threads\": %s, \"rss_mib_after_warmup\": %.1f,"
                    + " \"rss_mib_end\": %.1f, \"heap_used_mib\": %d, \"phase_ms\": %s,"
                    + " \"device\": \"%s\", \"precision\": \"%s\", \"replicas\": %d,"
                    + " \"tf32_environment\": %s, \"final_loss\": %.6f}",
                steps * batch / seconds,
                seconds / steps,
                steps,
                batch,
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                rssStart / 1024.0,
                rssEnd / 1024.0,
                heapUsed,
                phases.meanMillisJson(),
                first,
                precision.name().toLowerCase(Locale.ROOT),
                devices.size(),
                "1".equals(System.getenv(Precision.TF32_ENVIRONMENT)),
                lastLoss));
      }
    }
    return 0;
  }

  private final ImageBatchBuffer buffer = new ImageBatchBuffer();
  private double lastLoss = Double.NaN;

  private void runStep(
      NDManager manager, CosPressStep step, float[] pixels, Shape shape, PhaseClock phases) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = buffer.tensor(scope, pixels, shape);
      phases.stepStarts();
      // Reading the loss waits for the device, so a GPU step is timed to its end.
      lastLoss = step.run(images, 1e-4, phases).total();
    }
  }

  private List<Device> devices() {
    if (replicas < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--replicas: must be >= 1, got " + replicas);
    }
    List<Device> list = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      list.add(
          switch (device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu(i);
            default ->
                throw new CommandLine.ParameterException(
                    new CommandLine(this), "--device: must be cpu or gpu, got " + device);
          });
    }
    return list;
  }

  private TrainingConfig training() {
    TrainingConfig d = ManifestLoader.defaultTraining();
    return new TrainingConfig(
        d.epochs(),
        batch,
        d.optimizer(),
        d.temperatures(),
        d.lossWeights(),
        d.pooledOnly(),
        d.seed(),
        precision,
        replicas);
  }

  /** Resident set size from /proc (Linux), in KiB; -1 elsewhere. */
  static long residentKiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
