package io.cospress.operator.chart;

import static io.cospress.operator.chart.HelmChart.ALL_ON_VALUES;
import static io.cospress.operator.chart.HelmChart.at;
import static io.cospress.operator.chart.HelmChart.ofKind;
import static io.cospress.operator.chart.HelmChart.single;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.operator.OperatorSettings;
import io.cospress.operator.job.TestRuns;
import io.cospress.operator.job.TrainerDefaults;
import io.cospress.operator.job.TrainerJobFactory;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Helm chart rendered by the real Helm CLI, without a cluster. */
class HelmChartTest {

  private static final String NAMESPACE = "cospress-system";

  @Test
  void lintIsCleanForDefaultAndAllOnValues() {
    for (String[] args :
        List.of(
            new String[] {"lint", "--strict", HelmChart.CHART.toString()},
            new String[] {
              "lint", "--strict", HelmChart.CHART.toString(), "-f", ALL_ON_VALUES.toString()
            })) {
      HelmChart.Result lint = HelmChart.run(args).requireSuccess();
      assertThat(lint.stdout()).contains("0 chart(s) failed").doesNotContain("[WARNING]");
    }
  }

  @Test
  void chartCarriesTheGeneratedCrdUnchanged() throws Exception {
    String file = CosPressConstants.CRD_NAME + "-v1.yml";
    assertThat(Files.readString(HelmChart.CHART.resolve("crds").resolve(file)))
        .as(
            "charts/cospress-operator/crds/%s must equal crds/%s (run hack/update-crds.sh)",
            file, file)
        .isEqualTo(Files.readString(Path.of("..", "crds", file)));
  }

  @Test
  void defaultsWatchEveryNamespaceWithAClusterRoleAndInstallNoMonitoringObjects() {
    List<Map<String, Object>> objects = HelmChart.template(NAMESPACE);

    assertThat(ofKind(objects, "ClusterRole")).hasSize(1);
    assertThat(ofKind(objects, "ClusterRoleBinding")).hasSize(1);
    assertThat(ofKind(objects, "Role"))
        .as("only the leader-election Role")
        .singleElement()
        .satisfies(role -> assertThat(at(role, "metadata.namespace")).isEqualTo(NAMESPACE));
    assertThat(objects)
        .extracting(o -> o.get("kind"))
        .doesNotContain("ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap");
    Map<String, Object> container = operatorContainer(objects);
    assertThat(HelmChart.env(container, "WATCH_NAMESPACES")).contains("");
    assertThat(at(single(objects, "Deployment"), "spec.replicas")).isEqualTo(2);
    assertThat(single(objects, "PodDisruptionBudget")).isNotNull();
  }

  @Test
  void watchedNamespacesGetARoleEachAndNoClusterWideAccess() {
    List<Map<String, Object>> objects =
        HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString());

    assertThat(ofKind(objects, "ClusterRole")).isEmpty();
    assertThat(ofKind(objects, "ClusterRoleBinding")).isEmpty();
    assertThat(ofKind(objects, "Role"))
        .extracting(r -> at(r, "metadata.namespace"))
        .containsExactlyInAnyOrder("team-a", "team-b", NAMESPACE);
    assertThat(ofKind(objects, "RoleBinding"))
        .allSatisfy(
            binding -> {
              assertThat(at(binding, "subjects[0].name")).isEqualTo("cospress");
              assertThat(at(binding, "subjects[0].namespace")).isEqualTo(NAMESPACE);
            });
  }

  @Test
  @SuppressWarnings("unchecked")
  void operatorRoleNamesEveryResourceAndVerbWithoutWildcardsOrSecrets() {
    Map<String, Object> role = single(HelmChart.template(NAMESPACE), "ClusterRole");

    List<Map<String, Object>> rules = (List<Map<String, Object>>) role.get("rules");
    assertThat(rules).isNotEmpty();
    for (Map<String, Object> rule : rules) {
      assertThat((List<String>) rule.get("verbs")).doesNotContain("*", "escalate", "bind");
      assertThat((List<String>) rule.get("resources")).doesNotContain("*", "secrets");
      assertThat((List<String>) rule.get("apiGroups")).doesNotContain("*");
    }
    assertThat(rules)
        .as("a per-run trainer Role can only be created by a holder of what it grants")
        .anySatisfy(
            r -> {
              assertThat((List<String>) r.get("resources")).contains("distillationruns/status");
              assertThat((List<String>) r.get("verbs")).contains("get", "patch");
            });
    assertThat(rules)
        .as(
            "the manifest ConfigMap of a run whose spec changed (say suspend: true) is replaced with"
                + " a PUT: the Java Operator SDK keeps ConfigMaps out of server-side apply")
        .anySatisfy(
            r -> {
              assertThat((List<String>) r.get("resources")).contains("configmaps");
              assertThat((List<String>) r.get("verbs")).contains("update");
            });
  }

  @Test
  void operatorPodIsHardenedAndSized() {
    List<Map<String, Object>> objects = HelmChart.template(NAMESPACE);
    Map<String, Object> pod =
        (Map<String, Object>) at(single(objects, "Deployment"), "spec.template.spec");
    Map<String, Object> container = operatorContainer(objects);

    assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
    assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
    assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
    assertThat(at(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
    assertThat(at(container, "resources.requests.memory")).isNotNull();
    assertThat(at(container, "resources.limits.memory")).isNotNull();
    assertThat(at(container, "volumeMounts[0].mountPath")).isEqualTo("/tmp");
    assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/readyz");
    assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/healthz");
    assertThat(at(single(objects, "ServiceAccount"), "automountServiceAccountToken"))
        .isEqualTo(false);
  }

  @Test
  void valuesReachTheOperatorAsItsSettings() {
    List<Map<String, Object>> objects =
        HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString());

    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
            HelmChart.environment(operatorContainer(objects), NAMESPACE));

    assertThat(settings.watchNamespaces()).containsExactly("team-a", "team-b");
    assertThat(settings.leaderElectionNamespace()).isEqualTo(NAMESPACE);
    assertThat(settings.leaseName()).isEqualTo("cospress-leader");
    assertThat(settings.httpPort()).isEqualTo(9090);
    TrainerDefaults trainer = settings.trainer();
    assertThat(trainer.imageFor(0)).isEqualTo("registry.example.com/ml/cospress-trainer:0.1.0");
    assertThat(trainer.imageFor(1))
        .isEqualTo("registry.example.com/ml/cospress-trainer:0.1.0-cuda12.8");
    assertThat(trainer.imagePullPolicy()).isEqualTo("Always");
    assertThat(trainer.cpu()).isEqualTo("8");
    assertThat(trainer.memory()).isEqualTo("48Gi");
    assertThat(trainer.gpuNodeSelector())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(trainer.gpuTolerations())
        .extracting(Toleration::getKey)
        .containsExactly("nvidia.com/gpu", "dedicated");
    assertThat(settings.pendingStalledAfter()).isEqualTo(Duration.ofMinutes(90));
    assertThat(settings.reconcileThreads()).isEqualTo(8);
  }

  /** The image's ENTRYPOINT puts $JAVA_OPTS after its own JVM flags, so these win. */
  @Test
  void javaOptsReachTheContainerOnlyWhenSet() {
    Map<String, String> allOn =
        HelmChart.environment(
            operatorContainer(HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString())),
            NAMESPACE);
    Map<String, String> defaults =
        HelmChart.environment(operatorContainer(HelmChart.template(NAMESPACE)), NAMESPACE);

    assertThat(allOn)
        .containsEntry("JAVA_OPTS", "-XX:TieredStopAtLevel=4 -XX:ReservedCodeCacheSize=96m");
    assertThat(defaults).doesNotContainKey("JAVA_OPTS");
  }

  @Test
  void defaultValuesGiveTheOperatorsReleasedDefaults() {
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
            HelmChart.environment(operatorContainer(HelmChart.template(NAMESPACE)), NAMESPACE));

    assertThat(settings.trainer()).isEqualTo(TrainerDefaults.standard());
    assertThat(settings.watchNamespaces()).isEmpty();
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.pendingStalledAfter())
        .isEqualTo(OperatorSettings.DEFAULT_PENDING_STALLED_AFTER);
    assertThat(settings.reconcileThreads()).isEqualTo(OperatorSettings.DEFAULT_RECONCILE_THREADS);
  }

  @Test
  @SuppressWarnings("unchecked")
  void podMonitorSelectsTheTrainerPodsTheOperatorCreates() {
    Map<String, Object> podMonitor =
        single(HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString()), "PodMonitor");
    Job job = TrainerJobFactory.build(TestRuns.run("vit-distil"), 1, TrainerDefaults.standard());
    Map<String, String> podLabels = job.getSpec().getTemplate().getMetadata().getLabels();

    Map<String, String> matchLabels =
        (Map<String, String>) at(podMonitor, "spec.selector.matchLabels");
    assertThat(podLabels).containsAllEntriesOf(matchLabels);
    assertThat(podLabels)
        .containsKey((String) at(podMonitor, "spec.selector.matchExpressions[0].key"));
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .extracting(ContainerPort::getName)
        .contains((String) at(podMonitor, "spec.podMetricsEndpoints[0].port"));
    assertThat(at(podMonitor, "spec.namespaceSelector.matchNames"))
        .isEqualTo(List.of("team-a", "team-b"));
    assertThat(at(podMonitor, "metadata.labels.release")).isEqualTo("kube-prometheus-stack");
  }

  @Test
  void serviceMonitorKeepsTheRunsNamespaceLabel() {
    Map<String, Object> serviceMonitor =
        single(HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString()), "ServiceMonitor");

    assertThat(at(serviceMonitor, "spec.endpoints[0].port")).isEqualTo("http");
    assertThat(at(serviceMonitor, "spec.endpoints[0].honorLabels")).isEqualTo(true);
    assertThat(at(serviceMonitor, "metadata.labels.release")).isEqualTo("kube-prometheus-stack");
  }

  @Test
  void dashboardConfigMapCarriesTheDashboardForTheGrafanaSidecar() throws Exception {
    Map<String, Object> configMap =
        single(HelmChart.template(NAMESPACE, "-f", ALL_ON_VALUES.toString()), "ConfigMap");

    assertThat(at(configMap, "metadata.labels.grafana_dashboard")).isEqualTo("1");
    assertThat(at(configMap, "metadata.namespace")).isEqualTo("monitoring");
    ObjectMapper json = new ObjectMapper();
    assertThat(
            json.readTree(
                (String) ((Map<?, ?>) configMap.get("data")).get("cospress-distillation.json")))
        .isEqualTo(
            json.readTree(
                HelmChart.CHART.resolve("dashboards/cospress-distillation.json").toFile()));
  }

  @Test
  void alertThresholdsComeFromValues() {
    String rules =
        HelmChart.templateYaml(
            NAMESPACE,
            "-f",
            ALL_ON_VALUES.toString(),
            "--show-only",
            "templates/prometheusrule.yaml");

    assertThat(rules)
        .contains("changes(cospress_train_step[45m])")
        .contains("> 5")
        .contains("for: 10m")
        .contains("team: ml-platform");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          replicaCount=two                       | at '/replicaCount': got string, want integer
          replicaCount=0                         | at '/replicaCount': minimum
          logFormat=xml                          | at '/logFormat': value must be one of 'json', 'text'
          watchNamespaces=team-a                 | at '/watchNamespaces': got string, want array
          watchNamespaces={Team_A}               | at '/watchNamespaces/0'
          alerts.stalledAfter=soon               | at '/alerts/stalledAfter'
          runs.pendingStalledAfter=15 minutes    | at '/runs/pendingStalledAfter'
          trainer.resources.memory=lots          | at '/trainer/resources/memory'
          metrics.serviceMonitor.enabled=yes     | at '/metrics/serviceMonitor/enabled': got string, want boolean
          service.port=70000                     | at '/service/port': maximum
          image.pullPolicy=Sometimes             | at '/image/pullPolicy': value must be one of
          trainer.gpu.tolerations[0].effect=Hard | at '/trainer/gpu/tolerations/0/effect'
          imagePullPolicy=Always                 | additional properties 'imagePullPolicy' not allowed
          """)
  void schemaRejectsAWrongValueNamingIt(String set, String message) {
    HelmChart.Result result =
        HelmChart.run("template", "t", HelmChart.CHART.toString(), "--set", set);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("values don't meet the specifications").contains(message);
  }

  @Test
  void severalReplicasWithoutLeaderElectionAreRefused() {
    HelmChart.Result result =
        HelmChart.run(
            "template", "t", HelmChart.CHART.toString(), "--set", "leaderElection.enabled=false");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("replicaCount > 1 needs leaderElection.enabled");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> operatorContainer(List<Map<String, Object>> objects) {
    return (Map<String, Object>)
        at(single(objects, "Deployment"), "spec.template.spec.containers[0]");
  }
}
