package io.cospress.operator.it;

import io.cospress.api.v1alpha1.DistillationRun;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/**
 * The smallest valid DistillationRun, created as an admin. For tests of the operator that never
 * start a trainer, so the paths need not exist.
 */
final class MinimalRun {

  private MinimalRun() {}

  /** Creates run {@code name} in {@code namespace}; {@code extraSpec} adds spec lines. */
  static DistillationRun create(String namespace, String name, String extraSpec) {
    String yaml =
        """
        apiVersion: cospress.io/v1alpha1
        kind: DistillationRun
        metadata: {name: %s}
        spec:
          teacher: {model: models/teacher.pt}
          student: {model: models/student.pt}
          dataset: {format: idx, train: {path: data/t.gz, labels: data/l.gz}}
        %s
        """
            .formatted(name, extraSpec.indent(2).stripTrailing());
    return ApiServer.get()
        .admin()
        .resources(DistillationRun.class)
        .inNamespace(namespace)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .create();
  }
}
