package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cospress.api.v1alpha1.DistillationRun;
import io.cospress.api.v1alpha1.DistillationRunStatus;
import io.cospress.api.v1alpha1.MetricsStatus;
import io.cospress.api.v1alpha1.ProgressStatus;
import io.cospress.api.v1alpha1.RestartsStatus;
import io.cospress.api.v1alpha1.RunPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl get} and {@code kubectl explain} show for DistillationRuns, using the real
 * kubectl against the real API server: the printer columns read the status subresource, the {@code
 * cospress} category and {@code dr} short name resolve, and field docs come from the CRD.
 */
class PrinterColumnsIT {

  private static final String RUN = "columns";

  private static KubernetesClient client;
  private static String namespace;

  @BeforeAll
  static void createRunWithStatus() {
    client = ApiServer.get().admin();
    namespace = ApiServer.get().newNamespace("printer-columns");
    String yaml =
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
            channels: 1
            imageSize: 28
            train: {path: data/train-images-idx3-ubyte.gz, labels: data/train-labels-idx1-ubyte.gz}
          training: {epochs: 10, batchSize: 64}
        """
            .formatted(RUN);
    client
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .create();

    // A PUT of the status subresource. editStatus would fail here: a fetched run without status
    // still carries the empty status DistillationRun.initStatus() creates, so the JSON patch it
    // computes adds to /status/... paths the server does not have, and the server answers 422
    // without causes.
    DistillationRun run =
        client.resources(DistillationRun.class).inNamespace(namespace).withName(RUN).get();
    DistillationRunStatus status = new DistillationRunStatus();
    status.setPhase(RunPhase.Running);
    ProgressStatus progress = new ProgressStatus();
    progress.setEpochs("3/10");
    progress.setEpoch(3);
    progress.setTotalEpochs(10);
    progress.setEtaSeconds(3725L);
    status.setProgress(progress);
    status.setReason("Training");
    MetricsStatus metrics = new MetricsStatus();
    metrics.setStudentKnnAccuracy(0.71);
    metrics.setLoss(0.42);
    metrics.setTeacherKnnAccuracy(0.85);
    status.setMetrics(metrics);
    RestartsStatus restarts = new RestartsStatus();
    restarts.setTotal(1);
    restarts.setApplicationError(1);
    status.setRestarts(restarts);
    run.setStatus(status);
    client.resource(run).updateStatus();
  }

  @Test
  void kubectlGetShowsStateFirstAndAgeLast() throws Exception {
    Kubectl.Result get = Kubectl.run(null, "get", "dr", "-n", namespace);

    System.out.println("kubectl get dr:\n" + get.stdout());
    assertThat(get.exitCode()).as(get.toString()).isZero();
    Map<String, String> row = onlyRow(get.stdout());
    assertThat(List.copyOf(row.keySet()))
        .as(get.stdout())
        .containsExactly("NAME", "PHASE", "PROGRESS", "LOSS", "STUDENT KNN", "RESTARTS", "AGE");
    assertThat(row)
        .as(get.stdout())
        .containsEntry("NAME", RUN)
        .containsEntry("PHASE", "Running")
        .containsEntry("PROGRESS", "3/10")
        .containsEntry("STUDENT KNN", "0.71")
        .containsEntry("LOSS", "0.42")
        .containsEntry("RESTARTS", "1");
    assertThat(row.get("AGE")).as(get.stdout()).matches("\\d+[smh].*");
  }

  @Test
  void kubectlGetWideAddsTeacherAccuracyEtaAndReasonAfterAge() throws Exception {
    Kubectl.Result get = Kubectl.run(null, "get", "dr", "-n", namespace, "-o", "wide");

    System.out.println("kubectl get dr -o wide:\n" + get.stdout());
    assertThat(get.exitCode()).as(get.toString()).isZero();
    Map<String, String> row = onlyRow(get.stdout());
    assertThat(List.copyOf(row.keySet()))
        .as(get.stdout())
        .containsExactly(
            "NAME",
            "PHASE",
            "PROGRESS",
            "LOSS",
            "STUDENT KNN",
            "RESTARTS",
            "AGE",
            "TEACHER KNN",
            "ETA SECONDS",
            "REASON");
    assertThat(row)
        .as(get.stdout())
        .containsEntry("TEACHER KNN", "0.85")
        .containsEntry("ETA SECONDS", "3725")
        .containsEntry("REASON", "Training");
  }

  @Test
  void cospressCategoryListsTheRun() throws Exception {
    Kubectl.Result get = Kubectl.run(null, "get", "cospress", "-n", namespace);

    assertThat(get.exitCode()).as(get.toString()).isZero();
    // The category holds one resource type, so kubectl prints its table (printer columns
    // included) without a kind prefix on the name.
    assertThat(onlyRow(get.stdout()))
        .as(get.stdout())
        .containsEntry("NAME", RUN)
        .containsEntry("PHASE", "Running");
  }

  @Test
  void kubectlExplainPrintsTheFieldDescriptionFromTheCrd() throws Exception {
    Kubectl.Result explain = Kubectl.run(null, "explain", "distillationrun.spec.training.epochs");

    assertThat(explain.exitCode()).as(explain.toString()).isZero();
    assertThat(explain.stdout())
        .as(explain.toString())
        .contains("KIND:", "DistillationRun")
        .contains("FIELD: epochs <integer>")
        .contains("Passes over the training split.");
  }

  /**
   * Splits kubectl's single-row table by the header's column offsets (headers such as "STUDENT KNN"
   * contain a space, so splitting on whitespace would not work).
   */
  static Map<String, String> onlyRow(String table) {
    List<String> lines = table.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(table).hasSize(2);
    String header = lines.get(0);
    String row = lines.get(1);
    Map<String, String> cells = new LinkedHashMap<>();
    Matcher column = Pattern.compile("\\S+(?: \\S+)*").matcher(header);
    List<int[]> spans = new ArrayList<>();
    while (column.find()) {
      spans.add(new int[] {column.start(), column.end()});
    }
    for (int i = 0; i < spans.size(); i++) {
      int from = Math.min(spans.get(i)[0], row.length());
      int to = i + 1 < spans.size() ? Math.min(spans.get(i + 1)[0], row.length()) : row.length();
      cells.put(header.substring(spans.get(i)[0], spans.get(i)[1]), row.substring(from, to).trim());
    }
    return cells;
  }
}
