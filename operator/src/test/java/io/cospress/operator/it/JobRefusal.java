package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;

/**
 * Makes the API server refuse Jobs in a namespace, as a quota or an admission webhook would in a
 * cluster: a ValidatingAdmissionPolicy that denies every Job created in namespaces labelled {@code
 * cospress-it/no-jobs=true}.
 */
final class JobRefusal {

  static final String MESSAGE = "trainer Jobs are refused in this namespace";

  private static boolean installed;

  private JobRefusal() {}

  /** Refuses Jobs in {@code namespace} from now on; returns once the API server does. */
  static synchronized void refuseJobsIn(String namespace) throws Exception {
    KubernetesClient admin = ApiServer.get().admin();
    if (!installed) {
      Kubectl.Result policy =
          Kubectl.run(
              """
              apiVersion: admissionregistration.k8s.io/v1
              kind: ValidatingAdmissionPolicy
              metadata: {name: cospress-it-no-jobs}
              spec:
                failurePolicy: Fail
                matchConstraints:
                  resourceRules:
                    - apiGroups: [batch]
                      apiVersions: [v1]
                      operations: [CREATE]
                      resources: [jobs]
                validations:
                  - expression: "false"
                    message: %s
              ---
              apiVersion: admissionregistration.k8s.io/v1
              kind: ValidatingAdmissionPolicyBinding
              metadata: {name: cospress-it-no-jobs}
              spec:
                policyName: cospress-it-no-jobs
                validationActions: [Deny]
                matchResources:
                  namespaceSelector:
                    matchLabels: {cospress-it/no-jobs: "true"}
              """
                  .formatted(MESSAGE),
              "apply",
              "-f",
              "-");
      assertThat(policy.exitCode()).as(policy.stderr()).isZero();
      installed = true;
    }
    admin
        .namespaces()
        .withName(namespace)
        .edit(
            n -> {
              n.getMetadata().getLabels().put("cospress-it/no-jobs", "true");
              return n;
            });
    awaitJobsRefused(admin, namespace);
  }

  /** The API server loads a new policy asynchronously; wait until it refuses a Job. */
  private static void awaitJobsRefused(KubernetesClient admin, String namespace) {
    Job probe =
        new JobBuilder()
            .withNewMetadata()
            .withName("policy-probe")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("probe")
            .withImage("probe")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              try {
                admin.batch().v1().jobs().inNamespace(namespace).resource(probe).dryRun().create();
                return false;
              } catch (KubernetesClientException e) {
                return e.getMessage().contains(MESSAGE);
              }
            });
  }
}
