package io.cospress.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cospress.api.v1alpha1.TrainingSpec;
import io.cospress.trainer.loss.CosPressLoss;
import io.cospress.trainer.loss.LossWeights;
import io.cospress.trainer.model.CompressionHead;
import io.cospress.trainer.model.TorchScriptModel;
import io.cospress.trainer.model.TorchScriptStudent;
import io.cospress.trainer.model.TrainableParameter;
import io.cospress.trainer.optim.AdamW;
import io.cospress.trainer.optim.AdamWSettings;
import io.cospress.trainer.train.CosPressStep;
import io.cospress.trainer.train.ImageBatchBuffer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the CosPress training step (the same {@link CosPressStep} the trainer runs) on random
 * images and reports images per second and memory. The PyTorch reference, {@code
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
    System.exit(new CommandLine(new StepBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        TorchScriptModel teacher =
            TorchScriptModel.load(teacherFile, "--teacher", null, false, Device.cpu());
        TorchScriptStudent student =
            new TorchScriptStudent(
                TorchScriptModel.load(studentFile, "--student", null, true, Device.cpu()))) {
      float[] pixels = new float[batch * channels * imageSize * imageSize];
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) random.nextGaussian();
      }
      Shape shape = new Shape(batch, channels, imageSize, imageSize);
      long[] dims = widths(manager, teacher, student, shape);
      try (CompressionHead head =
          CompressionHead.initialise(manager, (int) dims[0], (int) dims[1], 1)) {
        List<TrainableParameter> params = new ArrayList<>(student.parameters());
        params.addAll(head.parameters());
        try (AdamW adamW =
                new AdamW(manager, params, new AdamWSettings(0.9, 0.999, 1e-8, 0.05, null));
            CosPressLoss loss =
                new CosPressLoss(TrainingSpec.DEFAULT_TEMPERATURES, LossWeights.ONES)) {
          CosPressStep step = new CosPressStep(teacher, student, head, loss, adamW, false);
          for (int i = 0; i < warmup; i++) {
            runStep(manager, step, pixels, shape, new PhaseClock(false));
          }
          PhaseClock phases = new PhaseClock(false);
          long rssStart = residentKiB();
          long start = System.nanoTime();
          for (int i = 0; i < steps; i++) {
            runStep(manager, step, pixels, shape, phases);
            if (rssEvery > 0 && (i + 1) % rssEvery == 0) {
              System.err.printf(
                  Locale.ROOT, "step %d rss %.1f MiB%n", i + 1, residentKiB() / 1024.0);
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
                      + " \"rss_mib_end\": %.1f, \"heap_used_mib\": %d, \"phase_ms\": %s}",
                  steps * batch / seconds,
                  seconds / steps,
                  steps,
                  batch,
                  System.getProperty("ai.djl.pytorch.num_threads", "default"),
                  rssStart / 1024.0,
                  rssEnd / 1024.0,
                  heapUsed,
                  phases.meanMillisJson()));
        }
      }
    }
    return 0;
  }

  private final ImageBatchBuffer buffer = new ImageBatchBuffer();

  private void runStep(
      NDManager manager, CosPressStep step, float[] pixels, Shape shape, PhaseClock phases) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray images = buffer.tensor(scope, pixels, shape);
      phases.stepStarts();
      step.run(images, 1e-4, phases);
    }
  }

  private static long[] widths(
      NDManager manager, TorchScriptModel teacher, TorchScriptStudent student, Shape shape) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray probe = scope.zeros(new Shape(2, shape.get(1), shape.get(2), shape.get(3)));
      Shape t = teacher.forward(probe, false).getShape();
      Shape s = student.forward(probe, false).getShape();
      return new long[] {t.get(t.dimension() - 1), s.get(s.dimension() - 1)};
    }
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
