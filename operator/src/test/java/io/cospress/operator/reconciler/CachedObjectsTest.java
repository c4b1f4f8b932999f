package io.cospress.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.operator.job.TestRuns;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerJobFactory;
import io.cospress.operator.job.TrainerManifestConfigMap;
import io.cospress.operator.plan.PlannedRun;
import io.cospress.operator.plan.RunObservation;
import io.cospress.operator.plan.RunPlan;
import io.cospress.operator.plan.RunPlanner;
import io.cospress.operator.rbac.TrainerRbac;
import io.cospress.operator.status.JobFacts;
import io.cospress.operator.status.PodFacts;
import io.cospress.operator.status.RetryPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CachedObjectsTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final String RUN_UID = "5f0c7a4e-2b1d-4c3e-9a8f-0d1e2f3a4b5c";

  @Test
  void aCachedJobLosesItsPodTemplateAndManagedFieldsAndKeepsWhatIsRead() {
    PlannedRun run = PlannedRun.standard();
    Job job = asServerReturns(run.activeJob());
    Job cached = cached(job, CachedObjects::job);

    assertThat(cached.getSpec().getTemplate()).isNull();
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata())
        .usingRecursiveComparison()
        .ignoringFields("managedFields")
        .isEqualTo(job.getMetadata());
    assertThat(cached.getStatus()).isEqualTo(job.getStatus());
    assertThat(cached.getSpec().getSuspend()).isEqualTo(job.getSpec().getSuspend());
    assertThat(cached.getSpec().getBackoffLimit()).isEqualTo(job.getSpec().getBackoffLimit());
  }

  @Test
  void aCachedJobStillMapsToItsRunAndAnswersJobFactsAsBefore() {
    PlannedRun run = PlannedRun.standard();
    for (Job job : List.of(run.activeJob(), run.queuedJob(), run.completeJob(), run.failedJob())) {
      Job full = asServerReturns(job);
      Job cached = cached(full, CachedObjects::job);
      assertThat(jobFacts(cached)).isEqualTo(jobFacts(full));
      assertThat(Mappers.fromOwnerReferences(DistillationRun.class).toPrimaryResourceIDs(cached))
          .containsExactly(new ResourceID(PlannedRun.NAME, PlannedRun.NAMESPACE));
    }
  }

  @Test
  void aCachedPodKeepsOnlyItsNodeOfTheSpecAndEverythingElse() {
    PlannedRun run = PlannedRun.standard();
    Pod pod = podOf(run.activeJob(), run.runningPod());
    Pod cached = cached(pod, CachedObjects::pod);

    assertThat(cached.getSpec().getNodeName()).isEqualTo(PlannedRun.NODE);
    assertThat(cached.getSpec().getContainers()).isEmpty();
    assertThat(cached.getSpec().getVolumes()).isEmpty();
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata())
        .usingRecursiveComparison()
        .ignoringFields("managedFields")
        .isEqualTo(pod.getMetadata());
    assertThat(cached.getStatus()).isEqualTo(pod.getStatus());
  }

  @Test
  void aCachedPodStillMapsToItsRunAndAnswersPodFactsAsBefore() {
    PlannedRun run = PlannedRun.standard();
    Job job = run.activeJob();
    for (Pod pod :
        List.of(
            run.runningPod(),
            run.unschedulablePod("0/3 nodes are available"),
            run.waitingPod("ImagePullBackOff", "Back-off pulling image"),
            run.failedPod(137, "OOMKilled"))) {
      Pod full = podOf(job, pod);
      Pod cached = cached(full, CachedObjects::pod);
      assertThat(podFacts(cached)).isEqualTo(podFacts(full));
      assertThat(Mappers.fromDefaultAnnotations(DistillationRun.class).toPrimaryResourceIDs(cached))
          .containsExactly(new ResourceID(PlannedRun.NAME, PlannedRun.NAMESPACE));
    }
  }

  @Test
  void thePlannerDecidesTheSameFromCachedJobsAndPodsAsFromWholeOnes() {
    PlannedRun run = PlannedRun.standard();
    run.reconcile(o -> o);
    record Observed(Job job, Pod pod) {}
    List<Observed> states =
        List.of(
            new Observed(run.activeJob(), null),
            new Observed(run.activeJob(), run.runningPod()),
            new Observed(run.activeJob(), run.unschedulablePod("0/3 nodes are available")),
            new Observed(run.queuedJob(), null),
            new Observed(run.completeJob(), null),
            new Observed(run.failedJob(), run.failedPod(137, "OOMKilled")));
    for (Observed state : states) {
      Job job = asServerReturns(state.job());
      Pod pod = state.pod() == null ? null : podOf(state.job(), state.pod());
      RunPlan whole = plan(run, job, pod);
      RunPlan fromCache =
          plan(
              run,
              cached(job, CachedObjects::job),
              pod == null ? null : cached(pod, CachedObjects::pod));
      assertThat(fromCache).isEqualTo(whole);
    }
  }

  @Test
  void aCachedRunLosesManagedFieldsAndTheLastAppliedCopyAndKeepsSpecStatusAndAnnotations() {
    DistillationRun run = TestRuns.run("resnet-kd");
    run.getMetadata().getAnnotations().put(CachedObjects.LAST_APPLIED, JSON.asJson(run));
    run.getMetadata().setManagedFields(List.of(managedFields("kubectl-client-side-apply")));
    DistillationRun cached = cached(run, CachedObjects::run);

    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getAnnotations()).containsExactly(Map.entry("note", "nightly"));
    assertThat(cached.getMetadata().getLabels()).isEqualTo(run.getMetadata().getLabels());
    assertThat(cached.getSpec()).isEqualTo(run.getSpec());
    assertThat(cached.getStatus()).isEqualTo(run.getStatus());
  }

  @Test
  void whatTheOperatorBuildsFromACachedRunIsWhatItBuildsFromTheWholeRun() {
    DistillationRun run = TestRuns.run("resnet-kd");
    run.getMetadata().getAnnotations().put(CachedObjects.LAST_APPLIED, JSON.asJson(run));
    run.getMetadata().setManagedFields(List.of(managedFields("kubectl-client-side-apply")));
    DistillationRun cached = cached(run, CachedObjects::run);

    assertThat(TrainerManifestConfigMap.build(cached))
        .isEqualTo(TrainerManifestConfigMap.build(run));
    assertThat(TrainerJobFactory.build(cached, 2, TrainerDefaults.standard()))
        .isEqualTo(TrainerJobFactory.build(run, 2, TrainerDefaults.standard()));
  }

  @Test
  void theStorePrunesWhatItKeeps() {
    PruningStore<Job> store = new PruningStore<>(CachedObjects::job);
    Job job = asServerReturns(PlannedRun.standard().activeJob());
    String key = store.getKey(job);
    store.put(key, job);

    assertThat(key).isEqualTo(PlannedRun.NAMESPACE + "/" + job.getMetadata().getName());
    assertThat(store.get(key).getSpec().getTemplate()).isNull();
    assertThat(store.get(key).getMetadata().getManagedFields()).isNullOrEmpty();
  }

  @Test
  void onlyAnInformerOfItsOwnGetsAPruningStore() {
    assertThat(PruningStore.forNamespaces(Set.of(), CachedObjects::job)).isPresent();
    assertThat(PruningStore.forNamespaces(Set.of("ml"), CachedObjects::job)).isPresent();
    assertThat(PruningStore.forNamespaces(Set.of("ml", "vision"), CachedObjects::job)).isEmpty();
  }

  private static RunPlan plan(PlannedRun run, Job job, Pod pod) {
    return new RunPlanner(TrainerDefaults.standard(), new RetryPolicy(), Duration.ofMinutes(15))
        .plan(
            new RunObservation(
                copy(run.run()),
                job,
                pod,
                null,
                RunObservation.ClaimPresence.NOT_REQUESTED,
                run.now()));
  }

  /** What the informer stores: a copy of what the API server sent, trimmed. */
  @Test
  void aCachedDependentLosesOnlyItsManagedFields() {
    DistillationRun run = TestRuns.run("vit-distil");
    HasMetadata configMap = TrainerManifestConfigMap.build(run);
    configMap.getMetadata().setManagedFields(List.of(managedFields("cospress-operator")));
    HasMetadata cached = cached(configMap, CachedObjects::dependent);

    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached)
        .usingRecursiveComparison()
        .ignoringFields("metadata.managedFields")
        .isEqualTo(configMap);
  }

  @Test
  void objectsOfOneRunShareTheStringsTheyRepeat() {
    DistillationRun run = TestRuns.run("vit-distil");
    HasMetadata configMap = cached(TrainerManifestConfigMap.build(run), CachedObjects::dependent);
    HasMetadata role = cached(TrainerRbac.role(run), CachedObjects::dependent);
    String runLabel = CosPressConstants.LABEL_RUN;

    assertThat(role.getMetadata().getLabels().get(runLabel))
        .isEqualTo(configMap.getMetadata().getLabels().get(runLabel))
        .isSameAs(configMap.getMetadata().getLabels().get(runLabel));
    assertThat(role.getMetadata().getOwnerReferences().get(0).getUid())
        .isSameAs(configMap.getMetadata().getOwnerReferences().get(0).getUid());
    assertThat(role.getMetadata().getNamespace()).isSameAs(configMap.getMetadata().getNamespace());
  }

  private static <T> T cached(T object, Consumer<T> prune) {
    T copy = copy(object);
    prune.accept(copy);
    return copy;
  }

  private static <T> T copy(T object) {
    return JSON.clone(object);
  }

  /** A Job as the API server returns it: identity, the owner's uid and managedFields filled in. */
  private static Job asServerReturns(Job job) {
    return new JobBuilder(job)
        .editMetadata()
        .withUid("0b6f4c1e-7a2d-4e8f-9c3b-5d1a2e3f4a5b")
        .withResourceVersion("4711")
        .withManagedFields(managedFields("cospress-operator"), managedFields("kube-controller"))
        .endMetadata()
        .build();
  }

  /** A pod of {@code job} as the Job controller creates it from the template, then {@code pod}. */
  private static Pod podOf(Job job, Pod pod) {
    var template = job.getSpec().getTemplate();
    return new PodBuilder(pod)
        .editMetadata()
        .addToLabels(template.getMetadata().getLabels())
        .withAnnotations(template.getMetadata().getAnnotations())
        .withManagedFields(managedFields("kubelet"))
        .endMetadata()
        .editSpec()
        .withContainers(template.getSpec().getContainers())
        .withVolumes(template.getSpec().getVolumes())
        .withServiceAccountName(template.getSpec().getServiceAccountName())
        .endSpec()
        .build();
  }

  private static ManagedFieldsEntry managedFields(String manager) {
    return new ManagedFieldsEntryBuilder()
        .withManager(manager)
        .withOperation("Update")
        .withApiVersion("v1")
        .withFieldsType("FieldsV1")
        .withNewFieldsV1()
        .addToAdditionalProperties("f:metadata", Map.of("f:labels", Map.of()))
        .endFieldsV1()
        .build();
  }

  private static List<Object> jobFacts(Job job) {
    return facts(
        job,
        JobFacts::name,
        JobFacts::isComplete,
        JobFacts::failure,
        JobFacts::isSuspended,
        JobFacts::active,
        JobFacts::kueueQueue);
  }

  private static List<Object> podFacts(Pod pod) {
    return facts(
        pod,
        PodFacts::name,
        PodFacts::phase,
        PodFacts::statusReason,
        PodFacts::statusMessage,
        PodFacts::nodeName,
        PodFacts::isBeingDeleted,
        p -> PodFacts.condition(p, "PodScheduled"),
        PodFacts::activeDisruption,
        PodFacts::failedContainer,
        PodFacts::waitingContainer);
  }

  @SafeVarargs
  private static <T extends HasMetadata> List<Object> facts(T object, Function<T, ?>... reads) {
    return Arrays.stream(reads).map(r -> (Object) r.apply(object)).toList();
  }
}
