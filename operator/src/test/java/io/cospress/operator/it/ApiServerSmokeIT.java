package io.cospress.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ApiServerSmokeIT {

  static final String VALID =
      """
      apiVersion: cospress.io/v1alpha1
      kind: DistillationRun
      metadata:
        name: smoke
      spec:
        teacher: {model: models/t.pt}
        student: {model: models/s.pt}
        dataset:
          format: idx
          train: {path: data/a.gz, labels: data/b.gz}
      """;

  @Test
  void crdIsServedWithDefaultsAndRejectsBadInput() {
    var client = ApiServer.get().admin();
    String ns = ApiServer.get().newNamespace("smoke");
    DistillationRun created =
        client
            .resources(DistillationRun.class)
            .inNamespace(ns)
            .load(new java.io.ByteArrayInputStream(VALID.getBytes()))
            .create();
    assertThat(created.getSpec().getTraining().getEpochs()).isEqualTo(100);

    String bad =
        VALID
            .replace("name: smoke", "name: bad")
            .replace("format: idx", "format: idx\n    channels: 0");
    assertThatThrownBy(
            () ->
                client
                    .resources(DistillationRun.class)
                    .inNamespace(ns)
                    .load(new java.io.ByteArrayInputStream(bad.getBytes()))
                    .create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.dataset.channels");
  }
}
