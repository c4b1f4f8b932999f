package io.cospress.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.trainer.config.Confinement;
import io.cospress.trainer.output.RunDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input and faults, one row each, through the real CLI: every one exits with its code (2 for
 * input the user must fix), names the field or file in a one-line error without a stack trace, and
 * leaves the output directory exactly as it was (absent stays absent; a finished run's files keep
 * their bytes and times). The classes are those of the README's error section.
 */
class BadInputTest {

  static final String YAML = "manifest YAML";
  static final String SCHEMA = "schema";
  static final String RULES = "cross-field rules";
  static final String NON_FINITE = "non-finite numbers";
  static final String RUN_NAME = "run names";
  static final String OPTIONS = "command-line options";
  static final String FILES = "missing and non-regular files";
  static final String CHECKSUMS = "checksums";
  static final String MODELS = "models and shapes";
  static final String DATA = "hostile data files";
  static final String POD = "pod path confinement";
  static final String DIRECTORY = "run directory state";
  static final String EVAL = "eval and validate";
  static final String LOSS = "loss inputs";

  static final Set<String> CLASSES =
      Set.of(
          YAML,
          SCHEMA,
          RULES,
          NON_FINITE,
          RUN_NAME,
          OPTIONS,
          FILES,
          CHECKSUMS,
          MODELS,
          DATA,
          POD,
          DIRECTORY,
          EVAL,
          LOSS);

  @TempDir static Path shared;

  /** Models and data of the tiny run, outside every case's directory. */
  static Path fixture;

  /** The output directory of one finished tiny run, copied into the cases that need one. */
  static Path finished;

  /** The tiny run's manifest with absolute paths into {@link #fixture}. */
  static String base;

  private static final AtomicInteger CASE_NUMBER = new AtomicInteger();

  @BeforeAll
  static void finishOneTinyRun() throws IOException {
    fixture = TinyRun.prepare(shared.resolve("fixture"));
    base = TinyRun.manifest(fixture + "/");
    Path manifest = Files.writeString(shared.resolve("tiny.yaml"), base);
    finished = shared.resolve("finished");
    CliRun.Outcome outcome =
        CliRun.execute(Map.of(), "run", "-f", manifest.toString(), "--output", finished.toString());
    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    assertThat(finished.resolve("checkpoints/final/student.pt")).isRegularFile();
  }

  /** One case: what goes wrong, its class, how to set it up, and what the CLI must say. */
  record Case(String fault, String kind, Setup setup, int exitCode, List<String> named) {
    @Override
    public String toString() {
      return kind + ": " + fault;
    }
  }

  /** Prepares a case's files and returns the command line. */
  @FunctionalInterface
  interface Setup {
    String[] apply(CaseDir dir) throws Exception;
  }

  /** A case's scratch directory; {@code out} is the output directory that must stay untouched. */
  static final class CaseDir {
    final Path dir;
    final Path out;
    final Map<String, String> environment = new java.util.HashMap<>();
    final List<AutoCloseable> cleanup = new ArrayList<>();

    CaseDir(Path dir) throws IOException {
      this.dir = Files.createDirectories(dir);
      this.out = dir.resolve("out");
    }

    Path write(String name, String text) throws IOException {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    }

    Path write(String name, byte[] bytes) throws IOException {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    }

    Path fifo(String name) throws Exception {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
      assertThat(mkfifo.waitFor()).isZero();
      return file;
    }

    /** {@code run -f <manifest> --output out} for a manifest derived from the base one. */
    String[] run(UnaryOperator<String> change, String... extra) throws IOException {
      return command("run", change, extra);
    }

    String[] command(String command, UnaryOperator<String> change, String... extra)
        throws IOException {
      Path manifest = write("run.yaml", change.apply(base));
      List<String> args =
          new ArrayList<>(List.of(command, "-f", manifest.toString(), "--output", out.toString()));
      args.addAll(Arrays.asList(extra));
      return args.toArray(String[]::new);
    }

    /** Makes {@code out} a copy of a finished run's output directory. */
    void copyFinishedRun() throws IOException {
      try (Stream<Path> walk = Files.walk(finished)) {
        for (Path source : walk.toList()) {
          Path target = out.resolve(finished.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    }

    Path onlyCheckpoint() throws IOException {
      try (Stream<Path> list = Files.list(out.resolve("checkpoints"))) {
        return list.filter(p -> p.getFileName().toString().startsWith("ckpt-"))
            .findFirst()
            .orElseThrow();
      }
    }

    /** A pod's volume in {@code out}: models and data copied in, paths relative to it. */
    String[] pod(UnaryOperator<String> change) throws IOException {
      TinyRun.prepare(out);
      environment.put(CosPressConstants.ENV_CONFINE_PATHS, "true");
      Path manifest = write("run.yaml", change.apply(TinyRun.manifest("")));
      return new String[] {
        "run", "-f", manifest.toString(), "--output", out.toString(), "--base-dir", out.toString()
      };
    }
  }

  private static Case fault(String kind, String fault, int exitCode, Setup setup, String... named) {
    return new Case(fault, kind, setup, exitCode, List.of(named));
  }

  private static Case input(String kind, String fault, Setup setup, String... named) {
    return fault(kind, fault, 2, setup, named);
  }

  private static UnaryOperator<String> replace(String from, String to) {
    return yaml -> {
      assertThat(yaml).as("base manifest holds " + from).contains(from);
      return yaml.replace(from, to);
    };
  }

  static Stream<Case> cases() {
    List<Case> all = new ArrayList<>();
    all.addAll(yamlCases());
    all.addAll(schemaCases());
    all.addAll(optionCases());
    all.addAll(fileCases());
    all.addAll(modelAndDataCases());
    all.addAll(podCases());
    all.addAll(directoryCases());
    all.addAll(lossCases());
    return all.stream();
  }

  static List<Case> yamlCases() {
    return List.of(
        input(
            YAML,
            "a key given twice",
            d -> d.run(replace("    epochs: 1\n", "    epochs: 1\n    epochs: 2\n")),
            "line 25",
            "duplicate key epochs"),
        input(
            YAML,
            "a second document",
            d -> d.run(yaml -> yaml + "---\napiVersion: v1\nkind: ConfigMap\n"),
            "line 34",
            "a second YAML document"),
        input(
            YAML,
            "an unclosed flow list",
            d -> d.run(yaml -> yaml + "  resources: {cpu: [1\n"),
            "manifest: not valid YAML"),
        input(
            YAML,
            "a tab used for indentation",
            d -> d.run(replace("    epochs: 1", "\tepochs: 1")),
            "manifest: not valid YAML",
            "line 24"),
        input(
            YAML,
            "a list instead of an object",
            d -> d.run(yaml -> "- a\n- b\n"),
            "manifest: expected a DistillationRun object"),
        input(
            YAML,
            "an empty file",
            d -> d.run(yaml -> ""),
            "manifest: expected a DistillationRun object"),
        input(
            YAML,
            "an alias bomb",
            d -> d.run(yaml -> aliasBomb() + yaml),
            "manifest: not valid YAML"),
        input(
            YAML,
            "a manifest over a ConfigMap's 1 MiB",
            d -> d.run(yaml -> yaml + "# " + "x".repeat(1 << 20) + "\n"),
            "manifest: ",
            "characters long"),
        input(
            YAML,
            "binary junk",
            d -> d.run(yaml -> "\u0000\u0001\u0002"),
            "manifest: not valid YAML"));
  }

  static List<Case> schemaCases() {
    return List.of(
        input(
            SCHEMA,
            "an unknown field",
            d -> d.run(replace("    epochs: 1\n", "    epochs: 1\n    learningRate: 0.1\n")),
            "spec.training.learningRate: unknown field"),
        input(
            SCHEMA,
            "a string for an integer",
            d -> d.run(replace("epochs: 1", "epochs: one")),
            "spec.training.epochs: must be an integer"),
        input(
            SCHEMA,
            "zero epochs",
            d -> d.run(replace("epochs: 1", "epochs: 0")),
            "spec.training.epochs: must be >= 1, got 0"),
        input(
            SCHEMA,
            "an unknown format",
            d -> d.run(replace("format: idx", "format: tfrecord")),
            "spec.dataset.format: must be one of [idx, imageFolder]"),
        input(
            SCHEMA,
            "a checksum that is not hex",
            d -> d.run(replace("    select: \"1\"\n", "    select: \"1\"\n    sha256: abc\n")),
            "spec.teacher.sha256"),
        input(
            SCHEMA,
            "no teacher",
            d -> d.run(yaml -> yaml.replaceAll("(?s)  teacher:.*?  student:", "  student:")),
            "spec.teacher: required field is missing"),
        input(
            SCHEMA,
            "a null teacher",
            d ->
                d.run(
                    yaml ->
                        yaml.replaceAll("(?s)  teacher:.*?  student:", "  teacher:\n  student:")),
            "spec.teacher: required field is missing"),
        input(
            SCHEMA,
            "no spec",
            d -> d.run(yaml -> yaml.substring(0, yaml.indexOf("spec:"))),
            "spec: required field is missing"),
        input(
            SCHEMA,
            "another apiVersion",
            d -> d.run(replace("cospress.io/v1alpha1", "cospress.io/v2")),
            "apiVersion: must be cospress.io/v1alpha1"),
        input(
            SCHEMA,
            "another kind",
            d -> d.run(replace("kind: DistillationRun", "kind: Job")),
            "kind: must be DistillationRun"),
        input(
            SCHEMA,
            "an integer beyond 32 bits",
            d -> d.run(replace("epochs: 1", "epochs: 99999999999")),
            "spec.training.epochs: "),
        input(
            SCHEMA,
            "65 temperatures",
            d ->
                d.run(
                    replace(
                        "    epochs: 1\n",
                        "    epochs: 1\n    temperatures: ["
                            + String.join(", ", java.util.Collections.nCopies(65, "0.1"))
                            + "]\n")),
            "spec.training.temperatures: allows at most 64 item(s)"),
        input(
            SCHEMA,
            "a batch of one",
            d -> d.run(replace("batchSize: 32", "batchSize: 1")),
            "spec.training.batchSize: must be >= 2"),
        input(
            SCHEMA,
            "an image size below 8",
            d -> d.run(replace("imageSize: 28", "imageSize: 4")),
            "spec.dataset.imageSize: must be >= 8"),
        input(
            RULES,
            "both a student model and an architecture",
            d ->
                d.run(
                    replace(
                        "    model: " + fixture + "/models/student.pt\n",
                        "    model: "
                            + fixture
                            + "/models/student.pt\n"
                            + "    architecture: {type: vit, patchSize: 4}\n")),
            "spec.student: set exactly one of"),
        input(
            RULES,
            "a width the heads do not divide",
            d ->
                d.run(
                    replace(
                        "    model: " + fixture + "/models/student.pt\n",
                        "    architecture: {type: vit, patchSize: 4, width: 10, heads: 3}\n")),
            "spec.student.architecture.width: must be divisible by architecture.heads"),
        input(
            RULES,
            "an image size the patch does not divide",
            d ->
                d.run(
                    replace(
                        "    model: " + fixture + "/models/student.pt\n",
                        "    architecture: {type: vit, patchSize: 5}\n")),
            "spec.student.architecture.patchSize: must divide dataset.imageSize"),
        input(
            RULES,
            "three means for one channel",
            d -> d.run(replace("channels: 1", "channels: 1\n    mean: [0.5, 0.5, 0.5]")),
            "spec.dataset.mean: needs one value per channel (dataset.channels)"),
        input(
            RULES,
            "a zero standard deviation",
            d -> d.run(replace("channels: 1", "channels: 1\n    std: [0]")),
            "spec.dataset.std: every value must be > 0"),
        input(
            RULES,
            "validation without labels",
            d -> d.run(yaml -> yaml.replaceAll("      labels: \\S*val-labels.gz\n", "")),
            "spec.dataset.validation.labels: required for the idx format"),
        input(
            RULES,
            "two channels",
            d -> d.run(replace("channels: 1", "channels: 2")),
            "spec.dataset.channels: must be 1 (grayscale) or 3 (RGB)"),
        input(
            RULES,
            "a zero temperature",
            d -> d.run(replace("    epochs: 1\n", "    epochs: 1\n    temperatures: [0.1, 0]\n")),
            "spec.training.temperatures: every temperature must be > 0"),
        input(
            RULES,
            "a batch larger than the training split",
            d -> d.run(replace("batchSize: 32", "batchSize: 128")),
            "spec.training.batchSize: 128 is larger than the training split (64 images)"),
        input(
            NON_FINITE,
            "an infinite learning rate",
            d -> d.run(replace("learningRate: 0.001", "learningRate: .inf")),
            "spec.training.optimizer.learningRate: must be a finite number, got Infinity"),
        input(
            NON_FINITE,
            "1e999",
            d ->
                d.run(
                    replace(
                        "learningRate: 0.001", "learningRate: 0.001\n      weightDecay: 1e999")),
            "spec.training.optimizer.weightDecay: must be a finite number, got Infinity"),
        input(
            NON_FINITE,
            "a NaN temperature",
            d -> d.run(replace("    epochs: 1\n", "    epochs: 1\n    temperatures: [.nan]\n")),
            "spec.training.temperatures[0]: must be a finite number, got NaN"),
        input(
            NON_FINITE,
            "a weight of minus infinity",
            d ->
                d.run(
                    replace("    epochs: 1\n", "    epochs: 1\n    lossWeights: {local: -.inf}\n")),
            "spec.training.lossWeights.local: must be a finite number, got -Infinity"),
        input(
            RUN_NAME,
            "a name that climbs out of out/",
            d -> {
              Path manifest = d.write("run.yaml", base.replace("name: tiny", "name: ../../x"));
              return new String[] {"run", "-f", manifest.toString()};
            },
            "metadata.name: \"../../x\" is not a DNS-1123 subdomain"),
        input(
            RUN_NAME,
            "a name with a slash",
            d -> d.run(replace("name: tiny", "name: a/b")),
            "metadata.name: \"a/b\""),
        input(
            RUN_NAME,
            "a namespace with capitals",
            d -> d.run(replace("name: tiny", "name: tiny\n  namespace: Team_A")),
            "metadata.namespace: \"Team_A\" is not a DNS-1123 label"));
  }

  static List<Case> optionCases() {
    return List.of(
        input(OPTIONS, "negative workers", d -> d.run(y -> y, "--workers", "-3"), "--workers"),
        input(OPTIONS, "zero workers", d -> d.run(y -> y, "--workers", "0"), "--workers"),
        input(
            OPTIONS,
            "100,000 workers",
            d -> d.run(y -> y, "--workers", "100000"),
            "--workers: must be between 1 and 256, got 100000"),
        input(
            OPTIONS,
            "workers that are not a number",
            d -> d.run(y -> y, "--workers", "abc"),
            "--workers",
            "'abc'"),
        input(
            OPTIONS,
            "a port above 65535",
            d -> d.run(y -> y, "--metrics-port", "70000"),
            "--metrics-port: must be a TCP port 0-65535"),
        input(
            OPTIONS,
            "a negative port",
            d -> d.run(y -> y, "--metrics-port", "-5"),
            "--metrics-port: must be a TCP port 0-65535"),
        input(
            OPTIONS,
            "a port another process holds",
            d -> {
              ServerSocket taken = new ServerSocket(0);
              d.cleanup.add(taken);
              return d.run(y -> y, "--metrics-port", Integer.toString(taken.getLocalPort()));
            },
            "--metrics-port: port ",
            "is already in use"),
        input(
            OPTIONS,
            "an unknown device",
            d -> d.run(y -> y, "--device", "tpu"),
            "--device: must be cpu or gpu, got \"tpu\""),
        input(
            OPTIONS,
            "stop after zero steps",
            d -> d.run(y -> y, "--stop-after-steps", "0"),
            "--stop-after-steps: must be >= 1"),
        input(OPTIONS, "an unknown option", d -> d.run(y -> y, "--frobnicate"), "--frobnicate"),
        input(OPTIONS, "no manifest option", d -> new String[] {"run"}, "--file"));
  }

  static List<Case> fileCases() {
    return List.of(
        input(
            FILES,
            "a missing manifest",
            d -> new String[] {"run", "-f", d.dir.resolve("nope.yaml").toString()},
            "manifest: ",
            "nope.yaml not found"),
        input(
            FILES,
            "a directory as the manifest",
            d -> new String[] {"run", "-f", d.dir.toString(), "--output", d.out.toString()},
            "manifest: ",
            "is a directory"),
        input(
            FILES,
            "a FIFO as the manifest",
            d ->
                new String[] {
                  "validate", "-f", d.fifo("run.yaml").toString(), "--output", d.out.toString()
                },
            "manifest: ",
            "run.yaml is a FIFO"),
        input(
            FILES,
            "a missing teacher",
            d -> d.run(replace("models/teacher.pt", "models/absent.pt")),
            "spec.teacher.model: file not found",
            "absent.pt"),
        input(
            FILES,
            "a directory as the teacher",
            d -> d.run(replace(fixture + "/models/teacher.pt", fixture + "/models")),
            "spec.teacher.model: ",
            "is a directory"),
        input(
            FILES,
            "a FIFO as the teacher",
            d -> {
              Path fifo = d.fifo("teacher.pt");
              return d.run(replace(fixture + "/models/teacher.pt", fifo.toString()));
            },
            "spec.teacher.model: ",
            "teacher.pt is a FIFO"),
        input(
            FILES,
            "a character device as the teacher",
            d -> d.run(replace(fixture + "/models/teacher.pt", "/dev/zero")),
            "spec.teacher.model: /dev/zero is a character device"),
        input(
            FILES,
            "a FIFO as the student",
            d -> {
              Path fifo = d.fifo("student.pt");
              return d.run(replace(fixture + "/models/student.pt", fifo.toString()));
            },
            "spec.student.model: ",
            "student.pt is a FIFO"),
        input(
            FILES,
            "a FIFO as the training images",
            d -> {
              Path fifo = d.fifo("train.gz");
              return d.run(replace(fixture + "/data/train-images.gz", fifo.toString()));
            },
            "spec.dataset.train.path: ",
            "train.gz is a FIFO"),
        input(
            FILES,
            "a directory as the training labels",
            d -> d.run(replace(fixture + "/data/train-labels.gz", fixture + "/data")),
            "spec.dataset.train.labels: ",
            "is a directory"),
        input(
            FILES,
            "a missing validation split",
            d -> d.run(replace("data/val-images.gz", "data/absent.gz")),
            "spec.dataset.validation.path: not found",
            "absent.gz"),
        input(
            FILES,
            "a directory as IDX images",
            d -> d.run(replace(fixture + "/data/train-images.gz", fixture + "/data")),
            "spec.dataset.train.path: ",
            "is a directory, not a file"),
        input(
            FILES,
            "a file as an image folder",
            d -> d.run(replace("format: idx", "format: imageFolder")),
            "spec.dataset.train.path: ",
            "train-images.gz is a regular file, not a directory"),
        input(
            CHECKSUMS,
            "a teacher that does not match its checksum",
            d ->
                d.run(
                    replace(
                        "    select: \"1\"\n",
                        "    select: \"1\"\n    sha256: " + "ab".repeat(32) + "\n")),
            "spec.teacher.sha256: checksum mismatch",
            "teacher.pt"),
        input(
            CHECKSUMS,
            "a student that does not match its checksum",
            d ->
                d.run(
                    replace(
                        "/models/student.pt\n",
                        "/models/student.pt\n    sha256: " + "cd".repeat(32) + "\n")),
            "spec.student.sha256: checksum mismatch",
            "student.pt"),
        input(
            CHECKSUMS,
            "training images that do not match their checksum",
            d ->
                d.run(
                    replace(
                        "      labels: " + fixture + "/data/train-labels.gz\n",
                        "      labels: "
                            + fixture
                            + "/data/train-labels.gz\n      sha256: "
                            + "ef".repeat(32)
                            + "\n")),
            "spec.dataset.train.sha256: checksum mismatch",
            "train-images.gz"));
  }

  static List<Case> modelAndDataCases() {
    return List.of(
        input(
            MODELS,
            "a teacher that is not TorchScript",
            d -> {
              Path junk = d.write("junk.pt", new byte[] {1, 2, 3, 4, 5});
              return d.run(replace(fixture + "/models/teacher.pt", junk.toString()));
            },
            "spec.teacher.model: cannot load",
            "junk.pt as TorchScript"),
        input(
            MODELS,
            "an empty teacher file",
            d -> {
              Path empty = d.write("empty.pt", new byte[0]);
              return d.run(replace(fixture + "/models/teacher.pt", empty.toString()));
            },
            "spec.teacher.model: cannot load",
            "empty.pt"),
        input(
            MODELS,
            "a pooled teacher declared as tokens",
            d ->
                d.run(
                    replace(
                        fixture + "/models/teacher.pt\n    select: \"1\"",
                        TinyRun.model("teacher-pooled.pt").toString())),
            "spec.teacher.output: ",
            "teacher-pooled.pt returns shape (2, 16)"),
        input(
            MODELS,
            "a student on another token grid",
            d ->
                d.run(
                    replace(
                        fixture + "/models/student.pt",
                        TinyRun.model("student-patch7.pt").toString())),
            "token-grid mismatch",
            "student-patch7.pt gives 17"),
        input(
            MODELS,
            "a two-output teacher without select",
            d -> d.run(replace("    select: \"1\"\n", "")),
            "returns 2 outputs; set 'select'"),
        input(
            MODELS,
            "a select key the teacher does not have",
            d ->
                d.run(
                    replace(
                        fixture + "/models/teacher.pt\n    select: \"1\"",
                        TinyRun.model("teacher-dict.pt") + "\n    select: logits")),
            "no output named 'logits'"),
        input(
            MODELS,
            "a select index out of range",
            d -> d.run(replace("select: \"1\"", "select: \"5\"")),
            "select 5 is out of range"),
        input(
            MODELS,
            "three channels for a one-channel teacher",
            d -> d.run(replace("channels: 1", "channels: 3")),
            "spec.teacher.model: ",
            "failed on a [2,3,28,28] input"),
        input(
            DATA,
            "a gzip IDX header declaring 2 GB",
            d -> {
              Path liar =
                  d.write(
                      "huge.gz",
                      TinyRun.gzip(
                          ByteBuffer.allocate(16)
                              .putInt(0x803)
                              .putInt(40_000)
                              .putInt(224)
                              .putInt(224)
                              .array()));
              return d.run(replace(fixture + "/data/train-images.gz", liar.toString()));
            },
            "spec.dataset.train: images file ",
            "huge.gz",
            "more than a "),
        input(
            DATA,
            "a plain IDX header declaring more than the file holds",
            d -> {
              byte[] images = TinyRun.images(64, 1);
              Path liar = d.write("short.idx", Arrays.copyOf(images, images.length - 100));
              return d.run(replace(fixture + "/data/train-images.gz", liar.toString()));
            },
            "spec.dataset.train: images file ",
            "short.idx: truncated"),
        input(
            DATA,
            "a truncated gzip stream",
            d -> {
              byte[] gz = TinyRun.gzip(TinyRun.images(64, 1));
              Path cut = d.write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
              return d.run(replace(fixture + "/data/train-images.gz", cut.toString()));
            },
            "spec.dataset.train: images file ",
            "cut.gz: truncated"),
        input(
            DATA,
            "fewer labels than images",
            d -> {
              Path labels = d.write("labels.gz", TinyRun.gzip(TinyRun.labels(60)));
              return d.run(replace(fixture + "/data/train-labels.gz", labels.toString()));
            },
            "spec.dataset.train: labels file ",
            "60 labels but images file"),
        input(
            DATA,
            "a labels file given as images",
            d ->
                d.run(
                    replace(
                        "path: " + fixture + "/data/train-images.gz",
                        "path: " + fixture + "/data/train-labels.gz")),
            "spec.dataset.train: images file ",
            "magic number 0x00000801"),
        input(
            DATA,
            "corrupt gzip data",
            d -> {
              byte[] gz = TinyRun.gzip(TinyRun.images(64, 1));
              for (int i = 20; i < 60; i++) {
                gz[i] ^= 0x5a;
              }
              Path bad = d.write("bad.gz", gz);
              return d.run(replace(fixture + "/data/train-images.gz", bad.toString()));
            },
            "spec.dataset.train: images file ",
            "bad.gz"),
        input(
            DATA,
            "a PNG declaring 100,000 x 100,000 pixels",
            d -> {
              d.write("folder/a/bomb.png", pngHeaderOnly(100_000, 100_000));
              return d.run(
                  replace("format: idx", "format: imageFolder")
                          .andThen(
                              replace(
                                  "path: " + fixture + "/data/train-images.gz",
                                  "path: " + d.dir.resolve("folder")))
                      ::apply);
            },
            "spec.dataset.train: image file ",
            "bomb.png: declares 100000x100000 pixels"),
        input(
            DATA,
            "an image folder without class directories",
            d -> {
              d.write("flat/x.png", pngHeaderOnly(4, 4));
              return d.run(
                  replace("format: idx", "format: imageFolder")
                          .andThen(
                              replace(
                                  "path: " + fixture + "/data/train-images.gz",
                                  "path: " + d.dir.resolve("flat")))
                      ::apply);
            },
            "spec.dataset.train: image folder ",
            "no class sub-directories"),
        input(
            DATA,
            "a .png that is not an image",
            d -> {
              d.write("text/a/notes.png", "just text");
              return d.run(
                  replace("format: idx", "format: imageFolder")
                          .andThen(
                              replace(
                                  "path: " + fixture + "/data/train-images.gz",
                                  "path: " + d.dir.resolve("text")))
                      ::apply);
            },
            "spec.dataset.train: image file ",
            "notes.png: not a PNG or JPEG image"));
  }

  static List<Case> podCases() {
    return List.of(
        input(
            POD,
            "a teacher path that climbs out with ..",
            d -> d.pod(replace("model: models/teacher.pt", "model: ../teacher.pt")),
            "spec.teacher.model: \"../teacher.pt\" leaves its volume"),
        input(
            POD,
            "an absolute teacher path elsewhere",
            d -> d.pod(replace("model: models/teacher.pt", "model: /etc/hostname")),
            "spec.teacher.model: \"/etc/hostname\" leaves its volume"),
        input(
            POD,
            "a teacher linked from outside the volume",
            d -> {
              String[] args = d.pod(replace("models/teacher.pt", "models/linked.pt"));
              Files.createSymbolicLink(
                  d.out.resolve("models/linked.pt"), fixture.resolve("models/teacher.pt"));
              return args;
            },
            "spec.teacher.model: ",
            "linked.pt leads outside its volume",
            "through a symbolic link"),
        input(
            POD,
            "training images linked from outside",
            d -> {
              String[] args = d.pod(replace("data/train-images.gz", "data/linked.gz"));
              Files.createSymbolicLink(
                  d.out.resolve("data/linked.gz"), fixture.resolve("data/train-images.gz"));
              return args;
            },
            "spec.dataset.train.path: ",
            "linked.gz leads outside its volume"),
        input(
            POD,
            "a data directory linked from outside",
            d -> {
              String[] args = d.pod(replace("data/", "linked-data/"));
              Files.createSymbolicLink(d.out.resolve("linked-data"), fixture.resolve("data"));
              return args;
            },
            "spec.dataset.train.path: ",
            "leads outside its volume"),
        input(
            POD,
            "a checkpoint directory linked outside",
            d -> {
              String[] args = d.pod(y -> y);
              Files.createSymbolicLink(
                  d.out.resolve("checkpoints"),
                  Files.createDirectories(d.dir.resolve("elsewhere")));
              return args;
            },
            "spec.checkpoint.path: ",
            "checkpoints leads outside its volume"),
        input(
            POD,
            "a final directory linked outside",
            d -> {
              String[] args = d.pod(y -> y);
              Files.createDirectories(d.out.resolve("checkpoints"));
              Files.createSymbolicLink(
                  d.out.resolve("checkpoints/final"),
                  Files.createDirectories(d.dir.resolve("elsewhere")));
              return args;
            },
            "final/ directory",
            "leads outside its volume"),
        input(
            POD,
            "a checkpoint path that climbs out",
            d -> d.pod(replace("path: checkpoints", "path: ../elsewhere")),
            "spec.checkpoint.path: \"../elsewhere\" leaves its volume"),
        input(
            POD,
            "an image linked from outside the volume",
            d -> {
              String[] args =
                  d.pod(
                      replace("format: idx", "format: imageFolder")
                              .andThen(replace("path: data/train-images.gz", "path: folder"))
                          ::apply);
              Path outside = d.write("outside.png", pngHeaderOnly(4, 4));
              Files.createDirectories(d.out.resolve("folder/a"));
              Files.createSymbolicLink(d.out.resolve("folder/a/leak.png"), outside);
              return args;
            },
            "spec.dataset.train: image file: ",
            "leak.png leads outside its volume"));
  }

  static List<Case> directoryCases() {
    return List.of(
        input(
            DIRECTORY,
            "--output is a file",
            d -> {
              d.write("out", "a file");
              return d.run(y -> y);
            },
            "--output: ",
            "is a regular file, not a directory"),
        input(
            DIRECTORY,
            "checkpoints is a file",
            d -> {
              d.write("out/checkpoints", "a file");
              return d.run(y -> y);
            },
            "spec.checkpoint.path: ",
            "checkpoints is a regular file, not a directory"),
        input(
            DIRECTORY,
            "final is a file",
            d -> {
              d.write("out/checkpoints/final", "a file");
              return d.run(y -> y);
            },
            "spec.checkpoint.path (its final/ directory): ",
            "is a regular file"),
        input(
            DIRECTORY,
            "status.json is a directory",
            d -> {
              Files.createDirectories(d.out.resolve("checkpoints/status.json"));
              return d.run(y -> y);
            },
            "spec.checkpoint.path: ",
            "status.json is a directory"),
        input(
            DIRECTORY,
            "another trainer holds the directory",
            d -> {
              d.copyFinishedRun();
              RunDirectory holder =
                  RunDirectory.inspect(
                      d.out, d.out.resolve("checkpoints"), Confinement.none(), w -> {});
              holder.lockAll();
              d.cleanup.add(holder);
              return d.run(y -> y);
            },
            "spec.checkpoint.path: ",
            "is in use by another trainer"),
        input(
            DIRECTORY,
            "a resume with another learning rate",
            d -> {
              d.copyFinishedRun();
              return d.run(replace("learningRate: 0.001", "learningRate: 0.002"));
            },
            "spec: checkpoint ",
            "another recipe: spec.training.optimizer.learningRate (checkpoint 0.001, manifest"
                + " 0.002)"),
        input(
            DIRECTORY,
            "a resume with another seed and more epochs",
            d -> {
              d.copyFinishedRun();
              return d.run(replace("epochs: 1", "epochs: 2\n    seed: 5"));
            },
            "spec.training.epochs (checkpoint 1, manifest 2)",
            "spec.training.seed (checkpoint 0, manifest 5)"),
        input(
            DIRECTORY,
            "a resume after the student became a built-in architecture",
            d -> {
              d.copyFinishedRun();
              return d.run(
                  replace(
                      "    model: " + fixture + "/models/student.pt\n",
                      "    architecture: {type: vit, patchSize: 4, width: 8, depth: 1, heads: 2}\n"));
            },
            "spec.student.architecture.type (checkpoint unset, manifest vit)",
            "spec.student.model (checkpoint "),
        input(
            DIRECTORY,
            "an old checkpoint without a recipe and a changed student type",
            d -> {
              d.copyFinishedRun();
              Path state = d.onlyCheckpoint().resolve("state.json");
              String json = Files.readString(state);
              Files.writeString(
                  state, json.replaceAll("(?s),\\s*\"recipe\"\\s*:\\s*\\{.*?\\}", ""));
              return d.run(
                  replace(
                      "    model: " + fixture + "/models/student.pt\n",
                      "    architecture: {type: vit, patchSize: 4, width: 8, depth: 1, heads: 2}\n"));
            },
            "spec.student: checkpoint ",
            "holds no student.params"),
        input(
            DIRECTORY,
            "a lock file that is a symbolic link",
            d -> {
              Files.createDirectories(d.out.resolve("checkpoints"));
              Files.createSymbolicLink(
                  d.out.resolve("checkpoints/.cospress-trainer.lock"),
                  d.write("elsewhere.txt", "x"));
              return d.run(y -> y);
            },
            "spec.checkpoint.path: ",
            ".cospress-trainer.lock is a symbolic link"),
        input(
            EVAL,
            "eval before any checkpoint",
            d -> d.command("eval", y -> y),
            "spec.checkpoint.path: no usable checkpoint in ",
            "none written yet"),
        input(
            EVAL,
            "eval with only a corrupt checkpoint",
            d -> {
              d.copyFinishedRun();
              Files.write(
                  d.onlyCheckpoint().resolve("student.pt"),
                  new byte[] {1},
                  java.nio.file.StandardOpenOption.APPEND);
              return d.command("eval", y -> y);
            },
            "spec.checkpoint.path: no usable checkpoint in ",
            "(1 corrupt)"),
        input(
            EVAL,
            "eval without a validation split",
            d -> {
              d.copyFinishedRun();
              return d.command(
                  "eval", yaml -> yaml.replaceAll("(?s)    validation:.*?    ood:", "    ood:"));
            },
            "spec.dataset.validation: required for evaluation"),
        input(
            EVAL,
            "eval where checkpoints is a file",
            d -> {
              d.write("out/checkpoints", "a file");
              return d.command("eval", y -> y);
            },
            "spec.checkpoint.path: ",
            "checkpoints is a regular file, not a directory"),
        input(
            EVAL,
            "validate a resume with another recipe",
            d -> {
              d.copyFinishedRun();
              return d.command("validate", replace("batchSize: 32", "batchSize: 16"));
            },
            "spec.training.batchSize (checkpoint 32, manifest 16)"),
        input(
            EVAL,
            "validate with a missing student",
            d -> d.command("validate", replace("models/student.pt", "models/absent.pt")),
            "spec.student.model: file not found"));
  }

  static List<Case> lossCases() {
    return List.of(
        input(
            LOSS,
            "float64 arrays",
            d -> loss(d, "teacher", a -> a.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)),
            "array 'teacher' must be float32, got float64"),
        input(
            LOSS,
            "int32 arrays",
            d -> loss(d, "student", a -> a.toType(ai.djl.ndarray.types.DataType.INT32, true)),
            "array 'student' must be float32, got int32"),
        input(
            LOSS,
            "a 4-D teacher",
            d -> loss(d, "teacher", a -> a.expandDims(0)),
            "array 'teacher' must be [B,T,Dt] or pooled [B,Dt]"),
        input(
            LOSS,
            "a head of the wrong width",
            d -> loss(d, "linear_weight", a -> a.get(":, 1:")),
            "array 'linear_weight' must be (8, 16)"),
        input(
            LOSS,
            "a NaN in the student",
            d -> loss(d, "student", a -> a.mul(Float.NaN)),
            "array 'student' holds NaN"),
        input(
            LOSS,
            "an infinity in the teacher",
            d -> loss(d, "teacher", a -> a.mul(Float.POSITIVE_INFINITY)),
            "array 'teacher' holds"),
        input(
            LOSS,
            "a missing array",
            d -> loss(d, "ln_bias", a -> null),
            "array 'ln_bias' is missing"),
        input(
            LOSS,
            "a non-positive temperature",
            d -> loss(d, "temperatures", a -> a.sub(1)),
            "array 'temperatures' must all be > 0"),
        input(
            LOSS,
            "a batch of one",
            d -> loss(d, "teacher", a -> a.get("0:1")),
            "needs a batch of at least 2"),
        input(
            LOSS,
            "a file that is not npz",
            d -> new String[] {"loss", d.write("junk.npz", "not a zip").toString()},
            "FILE.npz: ",
            "junk.npz is not an .npz archive"),
        input(
            LOSS,
            "a FIFO as the input",
            d -> new String[] {"loss", d.fifo("pipe.npz").toString()},
            "FILE.npz: ",
            "pipe.npz is a FIFO"),
        input(
            LOSS,
            "a missing input",
            d -> new String[] {"loss", d.dir.resolve("absent.npz").toString()},
            "FILE.npz: ",
            "absent.npz not found"));
  }

  /** Writes the small loss fixture with one array changed (or removed, when null). */
  private static String[] loss(CaseDir d, String name, UnaryOperator<NDArray> change)
      throws Exception {
    Path source =
        Path.of(BadInputTest.class.getResource("/fixtures/cospress-loss/small.npz").toURI());
    Path target = d.dir.resolve("input.npz");
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(source);
        OutputStream out = Files.newOutputStream(target)) {
      NDList arrays = NDList.decode(manager, in);
      NDList changed = new NDList();
      for (NDArray array : arrays) {
        NDArray replacement = array.getName().equals(name) ? change.apply(array) : array;
        if (replacement != null) {
          replacement.setName(array.getName());
          changed.add(replacement);
        }
      }
      changed.encode(out, NDList.Encoding.NPZ);
    }
    return new String[] {"loss", target.toString()};
  }

  private static String aliasBomb() {
    StringBuilder yaml = new StringBuilder("x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("x-a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    return yaml.toString();
  }

  /** A PNG that is only a header declaring {@code width x height}: see the data tests. */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedNamingTheFieldOrFileAndLeavesTheOutputAsItWas(Case c) throws Exception {
    CaseDir d = new CaseDir(shared.resolve("case-" + CASE_NUMBER.incrementAndGet()));
    try {
      String[] args = c.setup().apply(d);
      Map<String, String> before = snapshot(d.out);
      Path escapeTarget = Path.of("../../x").toAbsolutePath().normalize();
      boolean escapeExisted = Files.exists(escapeTarget);

      CliRun.Outcome outcome =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () -> CliRun.execute(d.environment, args),
              "the trainer blocked on " + c);

      assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(c.exitCode());
      assertThat(outcome.err().lines().filter(l -> l.startsWith("error: ")))
          .as(outcome.err())
          .isNotEmpty();
      for (String fragment : c.named()) {
        assertThat(outcome.err()).as("names %s", fragment).contains(fragment);
      }
      assertThat(outcome.err()).as("no stack trace").doesNotContain("\tat ", "Caused by:");
      assertThat(snapshot(d.out)).as("output directory untouched").isEqualTo(before);
      assertThat(Files.exists(escapeTarget)).isEqualTo(escapeExisted);
    } finally {
      for (AutoCloseable resource : d.cleanup) {
        resource.close();
      }
    }
  }

  @Test
  void everyClassOfTheReadmeHasCasesAndThereAreAtLeastSixty() {
    List<Case> all = cases().toList();
    assertThat(all).hasSizeGreaterThanOrEqualTo(60);
    assertThat(all.stream().map(Case::kind).collect(Collectors.toSet())).isEqualTo(CLASSES);
    assertThat(all.stream().map(Case::toString).distinct().count()).isEqualTo(all.size());
  }

  /**
   * Every file and directory under {@code root}: type, size, content hash and modification time.
   */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return entries;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String key = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          entries.put(key, "link -> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          entries.put(key, "dir");
        } else if (Files.isRegularFile(p)) {
          entries.put(
              key,
              Files.size(p)
                  + " bytes, sha256 "
                  + sha256(p)
                  + ", modified "
                  + Files.getLastModifiedTime(p).toMillis());
        } else {
          entries.put(key, "special");
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return entries;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
