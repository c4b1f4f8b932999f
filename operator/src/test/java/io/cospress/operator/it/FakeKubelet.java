package io.cospress.operator.it;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the parts kube-api-test does not run: the Job controller (creates the pod from the
 * template, sets the Job's conditions), the scheduler (PodScheduled) and the kubelet (pod phase and
 * container states). Objects are written the way those components write them.
 */
final class FakeKubelet {

  private final KubernetesClient client;

  FakeKubelet(KubernetesClient client) {
    this.client = client;
  }

  /** Job controller: a pod from the Job's template, labelled and owned as the controller does. */
  Pod createPod(Job job) {
    return createPod(job, job.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds());
  }

  /** As {@link #createPod(Job)}, with a grace period of its own (fixed once the pod exists). */
  Pod createPod(Job job, Long terminationGracePeriodSeconds) {
    var template = job.getSpec().getTemplate();
    Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
    labels.put("job-name", job.getMetadata().getName());
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    labels.put("controller-uid", job.getMetadata().getUid());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(
                job.getMetadata().getName() + "-x" + Long.toString(System.nanoTime() % 100000, 36))
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(template.getMetadata().getAnnotations())
            .addNewOwnerReference()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(job.getMetadata().getName())
            .withUid(job.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .endOwnerReference()
            .endMetadata()
            .withSpec(
                new PodSpecBuilder(template.getSpec())
                    .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds)
                    .build())
            .build();
    return client.resource(pod).create();
  }

  /** Scheduler: the pod cannot be placed. */
  Pod unschedulable(Pod pod, String message) {
    return setStatus(
        pod,
        new PodStatusBuilder()
            .withPhase("Pending")
            .withConditions(condition("PodScheduled", "False", "Unschedulable", message))
            .build());
  }

  /** Kubelet: the trainer container is running. */
  Pod running(Pod pod) {
    return setStatus(
        pod,
        new PodStatusBuilder()
            .withPhase("Running")
            .withConditions(
                condition("PodScheduled", "True", null, null),
                condition("Ready", "True", null, null))
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("trainer")
                    .withReady(true)
                    .withRestartCount(0)
                    .withImage("cospress/trainer:0.1.0")
                    .withImageID("")
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(now())
                    .endRunning()
                    .endState()
                    .build())
            .build());
  }

  /**
   * Kubelet: the trainer exited with a code; extra conditions as the disruption controller sets.
   */
  Pod exited(Pod pod, int exitCode, String reason, PodCondition... extra) {
    List<PodCondition> conditions = new java.util.ArrayList<>();
    conditions.add(condition("PodScheduled", "True", null, null));
    conditions.addAll(List.of(extra));
    return setStatus(
        pod,
        new PodStatusBuilder()
            .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
            .withConditions(conditions)
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("trainer")
                    .withReady(false)
                    .withRestartCount(0)
                    .withImage("cospress/trainer:0.1.0")
                    .withImageID("")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage("exit " + exitCode)
                    .withFinishedAt(now())
                    .endTerminated()
                    .endState()
                    .build())
            .build());
  }

  static PodCondition disruption(String reason) {
    return condition("DisruptionTarget", "True", reason, "disrupted: " + reason);
  }

  /** Job controller: the Job failed (backoffLimit 0 reached). */
  Job failJob(Job job) {
    return setJobConditions(job, "Failed", "BackoffLimitExceeded", 0, 1);
  }

  /** Job controller: the Job completed. */
  Job completeJob(Job job) {
    Job latest = client.resource(job).get();
    latest.setStatus(
        new JobStatusBuilder()
            .withSucceeded(1)
            .withActive(0)
            .withStartTime(now())
            .withCompletionTime(now())
            .withConditions(
                new JobConditionBuilder()
                    .withType("SuccessCriteriaMet")
                    .withStatus("True")
                    .withReason("CompletionsReached")
                    .withLastTransitionTime(now())
                    .build(),
                new JobConditionBuilder()
                    .withType("Complete")
                    .withStatus("True")
                    .withReason("CompletionsReached")
                    .withLastTransitionTime(now())
                    .build())
            .build());
    return client.resource(latest).updateStatus();
  }

  private Job setJobConditions(Job job, String type, String reason, int succeeded, int failed) {
    Job latest = client.resource(job).get();
    latest.setStatus(
        new JobStatusBuilder()
            .withSucceeded(succeeded)
            .withFailed(failed)
            .withActive(0)
            .withStartTime(now())
            .withConditions(
                new JobConditionBuilder()
                    .withType("FailureTarget")
                    .withStatus("True")
                    .withReason(reason)
                    .withLastTransitionTime(now())
                    .build(),
                new JobConditionBuilder()
                    .withType(type)
                    .withStatus("True")
                    .withReason(reason)
                    .withMessage("Job has reached the specified backoff limit")
                    .withLastTransitionTime(now())
                    .build())
            .build());
    return client.resource(latest).updateStatus();
  }

  private Pod setStatus(Pod pod, io.fabric8.kubernetes.api.model.PodStatus status) {
    Pod latest = client.resource(pod).get();
    latest.setStatus(status);
    return client.resource(latest).updateStatus();
  }

  private static PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now())
        .build();
  }

  private static String now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
