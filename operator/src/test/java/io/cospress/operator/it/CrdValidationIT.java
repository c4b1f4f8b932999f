package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD's OpenAPI schema and CEL rules, enforced by a real kube-apiserver: invalid runs are
 * rejected on create with HTTP 422 and a cause naming the field, the recipe of an existing run
 * cannot be changed, and the operational knobs can.
 *
 * <p>Manifests are sent as untyped maps, so nothing on the client side (Java enums, field
 * initialisers, Jackson) can fix or reject a value before the API server sees it.
 */
class CrdValidationIT {

  /** A valid run; every case below breaks exactly one thing in a copy of it. */
  private static final String BASE =
      """
      apiVersion: cospress.io/v1alpha1
      kind: DistillationRun
      metadata:
        name: base
      spec:
        teacher:
          model: models/teacher.pt
        student:
          model: models/student.pt
        dataset:
          format: idx
          channels: 1
          imageSize: 28
          train:
            path: data/train-images-idx3-ubyte.gz
            labels: data/train-labels-idx1-ubyte.gz
        training:
          epochs: 10
          batchSize: 64
        evaluation:
          intervalEpochs: 1
        checkpoint:
          path: checkpoints/base
        maxRestarts: 3
      """;

  private static final String IMMUTABLE_TEACHER =
      "spec.teacher cannot change once the run exists; create a new DistillationRun";
  private static final String IMMUTABLE_TRAINING =
      "spec.training cannot change once the run exists; create a new DistillationRun";
  private static final String IMMUTABLE_DATASET =
      "spec.dataset cannot change once the run exists; create a new DistillationRun";
  private static final String IMMUTABLE_STUDENT =
      "spec.student cannot change once the run exists; create a new DistillationRun";
  private static final String IMMUTABLE_CHECKPOINT_PATH =
      "spec.checkpoint.path cannot change once the run exists";

  private static final AtomicInteger RUNS = new AtomicInteger();

  private static KubernetesClient client;
  private static String namespace;

  @BeforeAll
  static void startApiServer() {
    client = ApiServer.get().admin();
    namespace = ApiServer.get().newNamespace("crd-validation");
  }

  /** An invalid manifest: how it is broken, and the field and text the rejection must name. */
  record Invalid(String name, Consumer<Map<String, Object>> breakIt, String field, String text) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Invalid> invalidManifests() {
    return Stream.of(
        new Invalid(
            "missing teacher", m -> remove(m, "spec.teacher"), "spec.teacher", "Required value"),
        new Invalid(
            "missing student", m -> remove(m, "spec.student"), "spec.student", "Required value"),
        new Invalid(
            "missing dataset", m -> remove(m, "spec.dataset"), "spec.dataset", "Required value"),
        new Invalid(
            "missing dataset.train",
            m -> remove(m, "spec.dataset.train"),
            "spec.dataset.train",
            "Required value"),
        new Invalid(
            "missing teacher.model",
            m -> remove(m, "spec.teacher.model"),
            "spec.teacher.model",
            "Required value"),
        new Invalid(
            "zero epochs",
            m -> set(m, "spec.training.epochs", 0),
            "spec.training.epochs",
            "should be greater than or equal to 1"),
        new Invalid(
            "negative epochs",
            m -> set(m, "spec.training.epochs", -5),
            "spec.training.epochs",
            "should be greater than or equal to 1"),
        new Invalid(
            "batch size 1 leaves the global term without pairs",
            m -> set(m, "spec.training.batchSize", 1),
            "spec.training.batchSize",
            "should be greater than or equal to 2"),
        new Invalid(
            "negative temperature",
            m -> set(m, "spec.training.temperatures", List.of(0.07, -0.5)),
            "spec.training.temperatures",
            "every temperature must be > 0"),
        new Invalid(
            "zero temperature",
            m -> set(m, "spec.training.temperatures", List.of(0.0)),
            "spec.training.temperatures",
            "every temperature must be > 0"),
        new Invalid(
            "empty temperature list",
            m -> set(m, "spec.training.temperatures", List.of()),
            "spec.training.temperatures",
            "should have at least 1 items"),
        new Invalid(
            "unknown student architecture type",
            m -> set(m, "spec.student", Map.of("architecture", Map.of("type", "transformer"))),
            "spec.student.architecture.type",
            "Unsupported value: \"transformer\""),
        new Invalid(
            "unknown dataset format",
            m -> set(m, "spec.dataset.format", "csv"),
            "spec.dataset.format",
            "Unsupported value: \"csv\""),
        new Invalid(
            "unknown checkpoint retention policy",
            m -> set(m, "spec.checkpoint.retentionPolicy", "Keep"),
            "spec.checkpoint.retentionPolicy",
            "Unsupported value: \"Keep\""),
        new Invalid(
            "negative gpus",
            m -> set(m, "spec.resources.gpus", -1),
            "spec.resources.gpus",
            "should be greater than or equal to 0"),
        new Invalid(
            "cpu quantity in words",
            m -> set(m, "spec.resources.cpu", "two cores"),
            "spec.resources.cpu",
            "should match"),
        new Invalid(
            "memory quantity in words",
            m -> set(m, "spec.resources.memory", "8 gigs"),
            "spec.resources.memory",
            "should match"),
        new Invalid(
            "student with both model and architecture",
            m -> set(m, "spec.student.architecture", Map.of("type", "vit")),
            "spec.student",
            "set exactly one of student.model or student.architecture"),
        new Invalid(
            "student with neither model nor architecture",
            m -> set(m, "spec.student", new LinkedHashMap<>()),
            "spec.student",
            "set exactly one of student.model or student.architecture"),
        new Invalid(
            "ViT width not divisible by heads",
            m ->
                set(
                    m,
                    "spec.student",
                    Map.of("architecture", Map.of("type", "vit", "width", 200, "heads", 3))),
            "spec.student.architecture.width",
            "must be divisible by architecture.heads"),
        new Invalid(
            "dataset.mean with three values for one channel",
            m -> set(m, "spec.dataset.mean", List.of(0.5, 0.5, 0.5)),
            "spec.dataset.mean",
            "needs one value per channel (dataset.channels)"),
        new Invalid(
            "dataset.std with one value for three channels",
            m -> {
              set(m, "spec.dataset.channels", 3);
              set(m, "spec.dataset.std", List.of(0.25));
            },
            "spec.dataset.std",
            "needs one value per channel (dataset.channels)"),
        new Invalid(
            "two channels",
            m -> set(m, "spec.dataset.channels", 2),
            "spec.dataset.channels",
            "must be 1 (grayscale) or 3 (RGB)"),
        new Invalid(
            "a zero standard deviation",
            m -> set(m, "spec.dataset.std", List.of(0.0)),
            "spec.dataset.std",
            "every value must be > 0"),
        new Invalid(
            "idx training split without labels",
            m -> remove(m, "spec.dataset.train.labels"),
            "spec.dataset.train.labels",
            "required for the idx format"),
        new Invalid(
            "idx validation split without labels",
            m -> set(m, "spec.dataset.validation", Map.of("path", "data/val-images.gz")),
            "spec.dataset.validation.labels",
            "required for the idx format"),
        new Invalid(
            "ViT patch size that does not divide the image size",
            m ->
                set(
                    m,
                    "spec.student",
                    Map.of("architecture", Map.of("type", "vit", "patchSize", 5, "width", 192))),
            "spec.student.architecture.patchSize",
            "must divide dataset.imageSize"),
        new Invalid(
            "four channels",
            m -> set(m, "spec.dataset.channels", 4),
            "spec.dataset.channels",
            "should be less than or equal to 3"),
        new Invalid(
            "upper-case teacher sha256",
            m -> set(m, "spec.teacher.sha256", "ABC123"),
            "spec.teacher.sha256",
            "should match '^[a-f0-9]{64}$'"),
        new Invalid(
            "negative maxRestarts",
            m -> set(m, "spec.maxRestarts", -1),
            "spec.maxRestarts",
            "should be greater than or equal to 0"),
        new Invalid(
            "image size 4",
            m -> set(m, "spec.dataset.imageSize", 4),
            "spec.dataset.imageSize",
            "should be greater than or equal to 8"),
        new Invalid(
            "augmentation cropScaleMin 0 (exclusive minimum)",
            m -> set(m, "spec.dataset.augmentation.cropScaleMin", 0),
            "spec.dataset.augmentation.cropScaleMin",
            "should be greater than 0"),
        new Invalid(
            "train path with whitespace",
            m -> set(m, "spec.dataset.train.path", "data/train images.gz"),
            "spec.dataset.train.path",
            "should match"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void invalidRunIsRejectedWith422NamingTheField(Invalid invalid) {
    Map<String, Object> manifest = manifest(nextName("invalid"));
    invalid.breakIt().accept(manifest);

    KubernetesClientException rejected =
        catchThrowableOfType(
            KubernetesClientException.class, () -> runs().resource(toResource(manifest)).create());

    assertThat(rejected).as("the API server accepted: %s", invalid).isNotNull();
    assertRejected(invalid.name(), rejected, invalid.field(), invalid.text());
    assertThat(runs().withName(name(manifest)).get()).isNull();
  }

  /** A change to the recipe of an existing run, and the rule that must refuse it. */
  record Change(String name, Consumer<Map<String, Object>> apply, String field, String text) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Change> illegalChanges() {
    return Stream.of(
        new Change(
            "spec.teacher.model",
            m -> set(m, "spec.teacher.model", "models/other-teacher.pt"),
            "spec.teacher",
            IMMUTABLE_TEACHER),
        new Change(
            "spec.student.model",
            m -> set(m, "spec.student.model", "models/other-student.pt"),
            "spec.student",
            IMMUTABLE_STUDENT),
        new Change(
            "spec.training.epochs",
            m -> set(m, "spec.training.epochs", 20),
            "spec.training",
            IMMUTABLE_TRAINING),
        new Change(
            "spec.dataset.train.path",
            m -> set(m, "spec.dataset.train.path", "data/other-images.gz"),
            "spec.dataset",
            IMMUTABLE_DATASET),
        new Change(
            "removing spec.training (defaults would replace the recipe)",
            m -> ((Map<?, ?>) m.get("spec")).remove("training"),
            "spec.training",
            IMMUTABLE_TRAINING),
        new Change(
            "spec.checkpoint.path",
            m -> set(m, "spec.checkpoint.path", "checkpoints/elsewhere"),
            "spec.checkpoint.path",
            IMMUTABLE_CHECKPOINT_PATH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("illegalChanges")
  void changingTheRecipeOfAnExistingRunIsRejected(Change change) {
    String name = nextName("immutable");
    GenericKubernetesResource created = runs().resource(toResource(manifest(name))).create();
    Map<String, Object> edited = toMap(created);
    change.apply().accept(edited);

    KubernetesClientException rejected =
        catchThrowableOfType(
            KubernetesClientException.class, () -> runs().resource(toResource(edited)).update());

    assertThat(rejected).as("the API server accepted a change to %s", change).isNotNull();
    assertRejected("change to " + change.name(), rejected, change.field(), change.text());
    Map<String, Object> stored = toMap(runs().withName(name).get());
    assertThat(stored).isEqualTo(toMap(created));
  }

  /** A change to an operational knob, and where the stored run must show it. */
  record Knob(String path, Object value) {
    @Override
    public String toString() {
      return path + " = " + value;
    }
  }

  static Stream<Knob> legalChanges() {
    return Stream.of(
        new Knob("spec.suspend", true),
        new Knob("spec.maxRestarts", 7),
        new Knob("spec.evaluation.intervalEpochs", 5));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("legalChanges")
  void changingAnOperationalKnobOfAnExistingRunIsAcceptedAndPersists(Knob knob) {
    String name = nextName("mutable");
    GenericKubernetesResource created = runs().resource(toResource(manifest(name))).create();
    assertThat(get(toMap(created), knob.path())).isNotEqualTo(knob.value());
    Map<String, Object> edited = toMap(created);
    set(edited, knob.path(), knob.value());

    runs().resource(toResource(edited)).update();

    GenericKubernetesResource stored = runs().withName(name).get();
    assertThat(get(toMap(stored), knob.path())).isEqualTo(knob.value());
    assertThat(stored.getMetadata().getGeneration())
        .isGreaterThan(created.getMetadata().getGeneration());
  }

  @Test
  void minimalRunIsAcceptedAndTheApiServerFillsEverySchemaDefault() {
    String name = nextName("minimal");
    String minimal =
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata:
          name: %s
        spec:
          teacher: {model: models/teacher.pt}
          student: {model: models/student.pt}
          dataset:
            format: idx
            train: {path: data/train-images-idx3-ubyte.gz, labels: data/train-labels-idx1-ubyte.gz}
        """
            .formatted(name);

    Map<String, Object> stored =
        toMap(
            runs()
                .resource(
                    client
                        .getKubernetesSerialization()
                        .unmarshal(minimal, GenericKubernetesResource.class))
                .create());

    assertThat(get(stored, "spec.suspend")).isEqualTo(false);
    assertThat(get(stored, "spec.maxRestarts")).isEqualTo(3);
    assertThat(get(stored, "spec.teacher.output")).isEqualTo("tokens");
    assertThat(get(stored, "spec.student.output")).isEqualTo("tokens");
    assertThat(get(stored, "spec.dataset.channels")).isEqualTo(3);
    assertThat(get(stored, "spec.dataset.imageSize")).isEqualTo(224);
    // The sections with defaults default to themselves, so the stored run shows the effective
    // recipe and a later edit cannot add or remove a whole immutable section unnoticed.
    assertThat(get(stored, "spec.training.epochs")).isEqualTo(100);
    assertThat(get(stored, "spec.training.temperatures")).asList().hasSize(10);
    assertThat(get(stored, "spec.checkpoint.path")).isEqualTo("checkpoints");
    assertThat(get(stored, "spec.resources.gpus")).isEqualTo(0);
  }

  @Test
  void emptyNestedObjectsAreFilledWithTheirSchemaDefaults() {
    Map<String, Object> manifest = manifest(nextName("defaults"));
    set(manifest, "spec.training", new LinkedHashMap<>(Map.of("optimizer", Map.of())));
    set(manifest, "spec.checkpoint", new LinkedHashMap<>());
    set(manifest, "spec.resources", new LinkedHashMap<>());
    set(manifest, "spec.dataset.augmentation", new LinkedHashMap<>());

    Map<String, Object> stored = toMap(runs().resource(toResource(manifest)).create());

    assertThat(get(stored, "spec.training.epochs")).isEqualTo(100);
    assertThat(get(stored, "spec.training.batchSize")).isEqualTo(1024);
    assertThat(get(stored, "spec.training.seed")).isEqualTo(0);
    assertThat(get(stored, "spec.training.optimizer.learningRate")).isEqualTo(5.0e-4);
    assertThat(get(stored, "spec.training.optimizer.warmupEpochs")).isEqualTo(5);
    assertThat(get(stored, "spec.checkpoint.path")).isEqualTo("checkpoints");
    assertThat(get(stored, "spec.checkpoint.keep")).isEqualTo(3);
    assertThat(get(stored, "spec.checkpoint.retentionPolicy")).isEqualTo("Retain");
    // CPU and memory stay unset: the operator applies its install-wide default when it builds
    // the pod, so a chart upgrade can resize runs that never said.
    assertThat(get(stored, "spec.resources.cpu")).isNull();
    assertThat(get(stored, "spec.resources.memory")).isNull();
    assertThat(get(stored, "spec.resources.gpus")).isEqualTo(0);
    assertThat(get(stored, "spec.dataset.augmentation.cropScaleMin")).isEqualTo(0.5);
  }

  @Test
  void unknownFieldIsRejectedNamingItWhenFieldValidationIsStrict() {
    Map<String, Object> manifest = manifest(nextName("strict"));
    set(manifest, "spec.training.epoks", 10);

    KubernetesClientException rejected =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                runs().resource(toResource(manifest)).fieldValidation(Validation.STRICT).create());

    assertThat(rejected).as("strict field validation let an unknown field through").isNotNull();
    assertThat(rejected.getCode()).isEqualTo(400);
    assertThat(rejected.getMessage()).contains("unknown field \"spec.training.epoks\"");
    assertThat(runs().withName(name(manifest)).get()).isNull();
  }

  @Test
  void unknownFieldIsPrunedWithoutErrorWhenTheClientSetsNoFieldValidation() {
    // Fabric8 sends no fieldValidation parameter, so the API server applies its default, Warn: a
    // Warning response header, and the field is pruned from the stored object (structural
    // schema). kubectlValidatesStrictlyByDefaultAndOnlyWarnsWhenAskedTo shows the warning text.
    Map<String, Object> manifest = manifest(nextName("pruned"));
    set(manifest, "spec.training.epoks", 10);

    Map<String, Object> stored = toMap(runs().resource(toResource(manifest)).create());

    assertThat(get(stored, "spec.training")).isInstanceOf(Map.class);
    assertThat(get(stored, "spec.training.epoks")).isNull();
    assertThat(get(stored, "spec.training.epochs")).isEqualTo(10);
  }

  @Test
  void kubectlValidatesStrictlyByDefaultAndOnlyWarnsWhenAskedTo() throws Exception {
    String strictName = nextName("kubectl-strict");
    Map<String, Object> strict = manifest(strictName);
    set(strict, "spec.training.epoks", 10);

    Kubectl.Result refused = Kubectl.run(toYaml(strict), "create", "-n", namespace, "-f", "-");

    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.stderr()).contains("unknown field \"spec.training.epoks\"");
    assertThat(runs().withName(strictName).get()).isNull();

    String warnName = nextName("kubectl-warn");
    Map<String, Object> warn = manifest(warnName);
    set(warn, "spec.training.epoks", 10);

    Kubectl.Result warned =
        Kubectl.run(toYaml(warn), "create", "--validate=warn", "-n", namespace, "-f", "-");

    assertThat(warned.exitCode()).as(warned.toString()).isZero();
    assertThat(warned.stderr()).contains("Warning: unknown field \"spec.training.epoks\"");
    Map<String, Object> stored = toMap(runs().withName(warnName).get());
    assertThat(get(stored, "spec.training.epochs")).isEqualTo(10);
    assertThat(get(stored, "spec.training.epoks")).isNull();
  }

  @Test
  void kubectlReportsA422RejectionWithTheFieldAndTheRuleMessage() throws Exception {
    Map<String, Object> manifest = manifest(nextName("kubectl-invalid"));
    set(manifest, "spec.student.architecture", Map.of("type", "resnet"));

    Kubectl.Result refused = Kubectl.run(toYaml(manifest), "create", "-n", namespace, "-f", "-");

    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.stderr())
        .contains("is invalid")
        .contains("spec.student")
        .contains("set exactly one of student.model or student.architecture");
  }

  // --- helpers -------------------------------------------------------------------------------

  private static void assertRejected(
      String what, KubernetesClientException e, String field, String text) {
    assertThat(e.getCode()).as("%s: HTTP status of %s", what, e.getMessage()).isEqualTo(422);
    assertThat(e.getStatus()).as("%s: Status of %s", what, e.getMessage()).isNotNull();
    assertThat(e.getStatus().getReason()).as("%s: reason", what).isEqualTo("Invalid");
    List<StatusCause> causes =
        e.getStatus().getDetails() == null ? List.of() : e.getStatus().getDetails().getCauses();
    assertThat(causes)
        .as("%s: causes of %s", what, e.getMessage())
        .anySatisfy(
            cause -> {
              assertThat(cause.getField()).isEqualTo(field);
              assertThat(cause.getMessage()).contains(text);
            });
    assertThat(e.getStatus().getMessage()).as("%s: message", what).contains(field).contains(text);
  }

  private static NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      runs() {
    return client
        .genericKubernetesResources(
            ResourceDefinitionContext.fromResourceType(DistillationRun.class))
        .inNamespace(namespace);
  }

  private static String nextName(String prefix) {
    return prefix + "-" + RUNS.incrementAndGet();
  }

  private static Map<String, Object> manifest(String name) {
    Map<String, Object> manifest =
        toMap(client.getKubernetesSerialization().unmarshal(BASE, GenericKubernetesResource.class));
    set(manifest, "metadata.name", name);
    return manifest;
  }

  private static String name(Map<String, Object> manifest) {
    return (String) get(manifest, "metadata.name");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toMap(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().convertValue(resource, LinkedHashMap.class);
  }

  private static GenericKubernetesResource toResource(Map<String, Object> manifest) {
    return client
        .getKubernetesSerialization()
        .convertValue(manifest, GenericKubernetesResource.class);
  }

  private static String toYaml(Map<String, Object> manifest) {
    return client.getKubernetesSerialization().asYaml(manifest);
  }

  /** Sets a value at a dotted path, creating the objects on the way. */
  @SuppressWarnings("unchecked")
  static void set(Map<String, Object> root, String path, Object value) {
    String[] keys = path.split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < keys.length - 1; i++) {
      node = (Map<String, Object>) node.computeIfAbsent(keys[i], k -> new LinkedHashMap<>());
    }
    node.put(keys[keys.length - 1], value);
  }

  @SuppressWarnings("unchecked")
  static void remove(Map<String, Object> root, String path) {
    String[] keys = path.split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < keys.length - 1; i++) {
      node = (Map<String, Object>) node.get(keys[i]);
    }
    assertThat(node.remove(keys[keys.length - 1])).as("nothing to remove at " + path).isNotNull();
  }

  /** The value at a dotted path, or null when any part of it is missing. */
  static Object get(Map<String, Object> root, String path) {
    Object node = root;
    for (String key : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }
}
