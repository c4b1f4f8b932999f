package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GitOps examples in {@code examples/gitops}, rendered by the real {@code kubectl kustomize}
 * (the kustomize that ships in kubectl) and checked against the real API server: the sweep yields
 * the intended grid of uniquely named runs, the runs pass the CRD's schema and CEL rules, the Kueue
 * objects pass Kueue's own CRD schemas and fit the runs, and Git-driven edits behave as {@code
 * docs/gitops.md} says (hyper-parameters are immutable, {@code spec.suspend} is not).
 *
 * <p>The examples name their namespace ({@code vision-distill}); the dry runs need it to exist, so
 * it is created for real, and nothing else is: a server-side dry run stores nothing. The test that
 * applies runs for real does so in a namespace of its own.
 */
class GitOpsExamplesIT {

  private static final Path GITOPS =
      Path.of("..", "examples", "gitops").toAbsolutePath().normalize();
  private static final String SWEEP_LABEL = "cospress.io/sweep";
  private static final String SWEEP_VALUE = "lr-x-weight";
  private static final String IMMUTABLE_TRAINING =
      "spec.training cannot change once the run exists; create a new DistillationRun";

  private static KubernetesClient client;

  @BeforeAll
  static void startApiServer() {
    client = ApiServer.get().admin();
  }

  @Test
  void sweepRendersFourUniquelyNamedRunsCoveringTheLearningRateByLocalWeightGrid()
      throws Exception {
    List<GenericKubernetesResource> runs = render("sweep");

    assertThat(runs).hasSize(4).allSatisfy(GitOpsExamplesIT::assertIsDistillationRun);
    assertThat(runs.stream().map(r -> r.getMetadata().getName()))
        .doesNotHaveDuplicates()
        .allMatch(name -> name.startsWith("dinov2s-vitti-lr"))
        .containsExactlyInAnyOrder(
            "dinov2s-vitti-lr5e-4-local0p5",
            "dinov2s-vitti-lr5e-4-local2",
            "dinov2s-vitti-lr1e-3-local0p5",
            "dinov2s-vitti-lr1e-3-local2");

    Map<String, List<Double>> grid = new LinkedHashMap<>();
    for (GenericKubernetesResource run : runs) {
      grid.put(
          run.getMetadata().getName(),
          List.of(
              number(run, "spec", "training", "optimizer", "learningRate"),
              number(run, "spec", "training", "lossWeights", "local")));
    }
    assertThat(grid)
        .containsEntry("dinov2s-vitti-lr5e-4-local0p5", List.of(5e-4, 0.5))
        .containsEntry("dinov2s-vitti-lr5e-4-local2", List.of(5e-4, 2.0))
        .containsEntry("dinov2s-vitti-lr1e-3-local0p5", List.of(1e-3, 0.5))
        .containsEntry("dinov2s-vitti-lr1e-3-local2", List.of(1e-3, 2.0));
  }

  @Test
  void sweepVariantsDifferOnlyInNameLabelsSweptValuesAndCheckpointDirectory() throws Exception {
    List<GenericKubernetesResource> runs = render("sweep");
    GenericKubernetesResource base = render("base").get(0);

    for (GenericKubernetesResource run : runs) {
      String name = run.getMetadata().getName();
      assertThat(run.getMetadata().getNamespace()).as(name).isEqualTo("vision-distill");
      assertThat(run.getMetadata().getLabels())
          .as(name)
          .containsEntry(SWEEP_LABEL, SWEEP_VALUE)
          .containsKeys("cospress.io/learning-rate", "cospress.io/local-weight")
          .containsAllEntriesOf(base.getMetadata().getLabels());
      // Runs share the claim, so each must write (and resume from) its own directory.
      assertThat((String) run.get("spec", "checkpoint", "path")).as(name).isEqualTo("runs/" + name);

      Map<String, Object> spec = deepCopy(run.get("spec"));
      Map<String, Object> expected = deepCopy(base.get("spec"));
      set(
          expected,
          run.get("spec", "training", "optimizer", "learningRate"),
          "training",
          "optimizer",
          "learningRate");
      set(
          expected,
          run.get("spec", "training", "lossWeights", "local"),
          "training",
          "lossWeights",
          "local");
      set(expected, "runs/" + name, "checkpoint", "path");
      assertThat(spec).as(name).isEqualTo(expected);
    }
  }

  @Test
  void sweepRunsPassTheCrdSchemaAndCelRulesInAServerSideDryRun() throws Exception {
    ensureExampleNamespace();
    String yaml = kustomize("sweep");

    Kubectl.Result dryRun =
        Kubectl.run(yaml, "apply", "--server-side", "--dry-run=server", "-f", "-");

    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    for (GenericKubernetesResource run : parse(yaml)) {
      assertThat(dryRun.stdout())
          .as(dryRun.toString())
          .contains(
              "distillationrun.cospress.io/"
                  + run.getMetadata().getName()
                  + " serverside-applied (server dry run)");
    }
    assertThat(runsIn("vision-distill")).as("a dry run stores nothing").isEmpty();
  }

  @Test
  void sweepRunsAreSelectedByTheSweepLabel() throws Exception {
    String namespace = ApiServer.get().newNamespace("gitops-sweep-label");
    String yaml = inNamespace(kustomize("sweep"), namespace);
    Kubectl.Result apply =
        Kubectl.run(yaml, "apply", "--server-side", "--field-manager=gitops-it", "-f", "-");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();

    Kubectl.Result get =
        Kubectl.run(
            null,
            "get",
            "dr",
            "-n",
            namespace,
            "-l",
            SWEEP_LABEL + "=" + SWEEP_VALUE + ",cospress.io/learning-rate=1e-3",
            "-o",
            "name");

    assertThat(get.exitCode()).as(get.toString()).isZero();
    assertThat(get.stdout().lines())
        .as(get.toString())
        .containsExactlyInAnyOrder(
            "distillationrun.cospress.io/dinov2s-vitti-lr1e-3-local0p5",
            "distillationrun.cospress.io/dinov2s-vitti-lr1e-3-local2");
    assertThat(runsIn(namespace)).hasSize(4);
  }

  @Test
  void kueueExampleAdmitsTheSweepRunsThroughOneLocalQueueWithGpuQuota() throws Exception {
    List<GenericKubernetesResource> kueue = render("kueue");
    List<GenericKubernetesResource> runs = render("sweep");
    GenericKubernetesResource namespace = only(kueue, "v1", "Namespace");
    GenericKubernetesResource flavor = only(kueue, "kueue.x-k8s.io/v1beta2", "ResourceFlavor");
    GenericKubernetesResource clusterQueue = only(kueue, "kueue.x-k8s.io/v1beta2", "ClusterQueue");
    GenericKubernetesResource localQueue = only(kueue, "kueue.x-k8s.io/v1beta2", "LocalQueue");

    // Every run names the LocalQueue, in the LocalQueue's namespace.
    for (GenericKubernetesResource run : runs) {
      assertThat(run.getMetadata().getNamespace())
          .isEqualTo(localQueue.getMetadata().getNamespace())
          .isEqualTo(namespace.getMetadata().getName());
      assertThat((String) run.get("spec", "queueName"))
          .isEqualTo(localQueue.getMetadata().getName());
    }
    // The LocalQueue points at the ClusterQueue, whose namespaceSelector picks the namespace.
    assertThat((String) localQueue.get("spec", "clusterQueue"))
        .isEqualTo(clusterQueue.getMetadata().getName());
    Map<String, String> selector = clusterQueue.get("spec", "namespaceSelector", "matchLabels");
    assertThat(namespace.getMetadata().getLabels()).containsAllEntriesOf(selector);
    // The GPU flavor tolerates the GPU taint and selects GPU nodes.
    assertThat((Map<String, String>) flavor.get("spec", "nodeLabels"))
        .containsKey("nvidia.com/gpu.product");
    assertThat((List<Map<String, Object>>) flavor.get("spec", "tolerations"))
        .anySatisfy(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu"));

    // The quota covers cpu, memory and GPUs of the flavor and admits some runs but not all at
    // once, so the sweep shows queueing.
    Map<String, Object> group = clusterQueue.get("spec", "resourceGroups", 0);
    assertThat((List<String>) group.get("coveredResources"))
        .containsExactlyInAnyOrder("cpu", "memory", "nvidia.com/gpu");
    Map<String, Object> flavorQuota = GenericKubernetesResource.get(group, "flavors", 0);
    assertThat(flavorQuota).containsEntry("name", flavor.getMetadata().getName());
    Map<String, BigDecimal> quota = new LinkedHashMap<>();
    for (Map<String, Object> resource :
        GenericKubernetesResource.<List<Map<String, Object>>>get(flavorQuota, "resources")) {
      quota.put(
          (String) resource.get("name"),
          Quantity.parse(String.valueOf(resource.get("nominalQuota"))).getNumericalAmount());
    }
    GenericKubernetesResource run = runs.get(0);
    Map<String, BigDecimal> perRun =
        Map.of(
            "cpu", quantity(run, "cpu"),
            "memory", quantity(run, "memory"),
            "nvidia.com/gpu", BigDecimal.valueOf(number(run, "spec", "resources", "gpus")));
    long runsAtOnce =
        perRun.entrySet().stream()
            .mapToLong(e -> quota.get(e.getKey()).divideToIntegralValue(e.getValue()).longValue())
            .min()
            .orElseThrow();
    assertThat(runsAtOnce).as("runs admitted at once, quota %s", quota).isBetween(1L, 3L);
  }

  @Test
  void kueueExamplePassesTheKueueCrdSchemasInAServerSideDryRun() throws Exception {
    ThirdPartyCrds.install("kueue");
    ensureExampleNamespace();
    String yaml = kustomize("kueue");

    Kubectl.Result dryRun =
        Kubectl.run(yaml, "apply", "--server-side", "--dry-run=server", "-f", "-");

    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.stdout())
        .as(dryRun.toString())
        .contains("resourceflavor.kueue.x-k8s.io/a100-80gb serverside-applied (server dry run)")
        .contains("clusterqueue.kueue.x-k8s.io/vision-gpu serverside-applied (server dry run)")
        .contains("localqueue.kueue.x-k8s.io/vision-gpu serverside-applied (server dry run)");
    // Unknown fields are refused outright (kubectl asks for strict field validation); what is
    // left is warnings, such as the one every v1beta1 object draws (Kueue 0.17 still serves
    // v1beta1 but deprecates it, and 0.20 no longer serves it).
    assertThat(dryRun.stderr()).as(dryRun.toString()).doesNotContain("Warning");
  }

  @Test
  void changingAHyperParameterOfAnAppliedRunIsRejectedButTogglingSuspendIsNot() throws Exception {
    String namespace = ApiServer.get().newNamespace("gitops-immutable");
    GenericKubernetesResource run = render("base").get(0);
    run.getMetadata().setNamespace(namespace);
    String name = run.getMetadata().getName();
    assertThat(applyForReal(run).exitCode()).isZero();

    // A hyper-parameter edited in Git under the same name: the API server refuses it.
    GenericKubernetesResource retuned = copy(run);
    setIn(retuned, 0.001, "spec", "training", "optimizer", "learningRate");
    Kubectl.Result refused = applyForReal(retuned);
    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.stderr()).as(refused.toString()).contains(IMMUTABLE_TRAINING);

    // Suspending from Git is an ordinary edit.
    GenericKubernetesResource suspended = copy(run);
    setIn(suspended, true, "spec", "suspend");
    Kubectl.Result accepted = applyForReal(suspended);
    assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
    GenericKubernetesResource stored = runs(namespace).withName(name).get();
    assertThat((Boolean) stored.get("spec", "suspend")).isTrue();
    assertThat(number(stored, "spec", "training", "optimizer", "learningRate")).isEqualTo(5e-4);
  }

  @Test
  void argoCdAndFluxDeployTheSweepWithoutForcedReplacement() throws Exception {
    Path repository = GITOPS.getParent().getParent();
    GenericKubernetesResource application =
        only(
            parse(Files.readString(GITOPS.resolve("argocd-application.yaml"))),
            "argoproj.io/v1alpha1",
            "Application");
    assertThat(repository.resolve((String) application.get("spec", "source", "path")).normalize())
        .isEqualTo(GITOPS.resolve("sweep"));
    assertThat((String) application.get("spec", "destination", "namespace"))
        .isEqualTo("vision-distill");
    assertThat((List<String>) application.get("spec", "syncPolicy", "syncOptions"))
        .contains("ServerSideApply=true")
        .doesNotContain("Replace=true", "Force=true");

    List<GenericKubernetesResource> flux =
        parse(Files.readString(GITOPS.resolve("flux-kustomization.yaml")));
    Map<String, GenericKubernetesResource> kustomizations = new LinkedHashMap<>();
    flux.stream()
        .filter(o -> "kustomize.toolkit.fluxcd.io/v1".equals(o.getApiVersion()))
        .forEach(o -> kustomizations.put(o.getMetadata().getName(), o));
    GenericKubernetesResource sweep = kustomizations.get("cospress-sweep-lr-x-weight");
    assertThat(sweep).as("Flux Kustomization of the sweep in %s", flux).isNotNull();
    assertThat(repository.resolve((String) sweep.get("spec", "path")).normalize())
        .isEqualTo(GITOPS.resolve("sweep"));
    assertThat((Boolean) sweep.get("spec", "wait")).isTrue();
    assertThat((Boolean) sweep.get("spec", "force")).isFalse();
    String dependency = sweep.get("spec", "dependsOn", 0, "name");
    assertThat(kustomizations).containsKey(dependency);
    assertThat(
            repository
                .resolve((String) kustomizations.get(dependency).get("spec", "path"))
                .normalize())
        .isEqualTo(GITOPS.resolve("kueue"));
  }

  private static Kubectl.Result applyForReal(GenericKubernetesResource run) throws Exception {
    return Kubectl.run(
        client.getKubernetesSerialization().asYaml(run),
        "apply",
        "--server-side",
        "--field-manager=gitops-it",
        "-f",
        "-");
  }

  /** {@code kubectl kustomize examples/gitops/<dir>}. */
  private static String kustomize(String dir) throws Exception {
    Path path = GITOPS.resolve(dir);
    assertThat(path).as("example directory").isDirectory();
    Kubectl.Result build = Kubectl.run(null, "kustomize", path.toString());
    assertThat(build.exitCode()).as(build.toString()).isZero();
    return build.stdout();
  }

  private static List<GenericKubernetesResource> render(String dir) throws Exception {
    return parse(kustomize(dir));
  }

  private static List<GenericKubernetesResource> parse(String yaml) {
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (!document.isBlank()) {
        objects.add(
            client
                .getKubernetesSerialization()
                .unmarshal(document, GenericKubernetesResource.class));
      }
    }
    return objects;
  }

  /** The rendered YAML with every object's namespace set to {@code namespace}. */
  private static String inNamespace(String yaml, String namespace) {
    StringBuilder out = new StringBuilder();
    for (GenericKubernetesResource object : parse(yaml)) {
      object.getMetadata().setNamespace(namespace);
      out.append("---\n").append(client.getKubernetesSerialization().asYaml(object));
    }
    return out.toString();
  }

  private static void assertIsDistillationRun(GenericKubernetesResource object) {
    assertThat(object.getApiVersion()).isEqualTo(CosPressConstants.API_VERSION);
    assertThat(object.getKind()).isEqualTo(CosPressConstants.KIND);
  }

  private static GenericKubernetesResource only(
      List<GenericKubernetesResource> objects, String apiVersion, String kind) {
    List<GenericKubernetesResource> matching =
        objects.stream()
            .filter(o -> apiVersion.equals(o.getApiVersion()) && kind.equals(o.getKind()))
            .toList();
    assertThat(matching).as("%s %s in %s", apiVersion, kind, objects).hasSize(1);
    return matching.get(0);
  }

  private static double number(GenericKubernetesResource object, Object... path) {
    Object value = object.get(path);
    assertThat(value).as("number at %s", List.of(path)).isInstanceOf(Number.class);
    return ((Number) value).doubleValue();
  }

  private static BigDecimal quantity(GenericKubernetesResource run, String resource) {
    String value = run.get("spec", "resources", resource);
    return Quantity.parse(value).getNumericalAmount();
  }

  private static GenericKubernetesResource copy(GenericKubernetesResource object) {
    return client
        .getKubernetesSerialization()
        .unmarshal(
            client.getKubernetesSerialization().asYaml(object), GenericKubernetesResource.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> map) {
    return client.getKubernetesSerialization().convertValue(map, LinkedHashMap.class);
  }

  /** Sets {@code value} at {@code path} under the object's top-level fields (such as spec). */
  private static void setIn(GenericKubernetesResource object, Object value, String... path) {
    Map<String, Object> top = object.getAdditionalProperties();
    String[] rest = new String[path.length - 1];
    System.arraycopy(path, 1, rest, 0, rest.length);
    if (rest.length == 0) {
      top.put(path[0], value);
    } else {
      set(GenericKubernetesResource.get(top, path[0]), value, rest);
    }
  }

  @SuppressWarnings("unchecked")
  private static void set(Map<String, Object> root, Object value, String... path) {
    Map<String, Object> node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = (Map<String, Object>) node.get(path[i]);
      assertThat(node).as("object at %s", List.of(path).subList(0, i + 1)).isNotNull();
    }
    node.put(path[path.length - 1], value);
  }

  private static List<GenericKubernetesResource> runsIn(String namespace) {
    return runs(namespace).list().getItems();
  }

  private static NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      runs(String namespace) {
    return client
        .genericKubernetesResources(
            ResourceDefinitionContext.fromResourceType(DistillationRun.class))
        .inNamespace(namespace);
  }

  /**
   * The examples' namespace, created for real (dry runs of namespaced objects need it), with the
   * labels the Kueue example gives it.
   */
  private static synchronized void ensureExampleNamespace() throws Exception {
    GenericKubernetesResource example = only(render("kueue"), "v1", "Namespace");
    String name = example.getMetadata().getName();
    if (client.namespaces().withName(name).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withLabels(example.getMetadata().getLabels())
                  .endMetadata()
                  .build())
          .create();
    }
  }
}
