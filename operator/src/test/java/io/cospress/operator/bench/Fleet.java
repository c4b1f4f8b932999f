package io.cospress.operator.bench;

import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of runs made from one manifest (the quickstart's), created as fast as a client can and
 * deleted at once, the way a sweep is applied and torn down.
 */
final class Fleet {

  /** How the runs are created. */
  enum Creation {
    /** Parallel POSTs from this JVM: as fast as a client can. */
    PARALLEL,
    /** {@code kubectl apply -f} of one multi-document file, as a user would. */
    KUBECTL_APPLY
  }

  private final KubernetesClient admin;
  private final String namespace;
  private final String template;

  Fleet(KubernetesClient admin, String namespace, Path manifest) throws IOException {
    this.admin = admin;
    this.namespace = namespace;
    this.template = Files.readString(manifest).replaceFirst("(?m)^  name: .*$", "  name: %s");
    if (!template.contains("name: %s")) {
      throw new IllegalArgumentException(manifest + " has no metadata.name line to vary");
    }
  }

  static String name(String prefix, int index) {
    return "%s-%05d".formatted(prefix, index);
  }

  /** Creates runs {@code prefix-00000} ... and returns how long that took, in seconds. */
  double create(
      String prefix, int count, Creation creation, int threads, Path kubectl, Path kubeconfig)
      throws Exception {
    long started = System.nanoTime();
    if (creation == Creation.PARALLEL) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String yaml = template.formatted(name(prefix, i));
          done.add(
              pool.submit(
                  () ->
                      admin
                          .resources(DistillationRun.class)
                          .inNamespace(namespace)
                          .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                          .create()));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    } else {
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < count; i++) {
        all.append("---\n").append(template.formatted(name(prefix, i)));
      }
      Path file = Files.createTempFile("fleet", ".yaml");
      try {
        Files.writeString(file, all);
        Process process =
            new ProcessBuilder(
                    kubectl.toString(),
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "apply",
                    "-n",
                    namespace,
                    "-f",
                    file.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
          throw new IllegalStateException("kubectl apply failed");
        }
      } finally {
        Files.deleteIfExists(file);
      }
    }
    return (System.nanoTime() - started) / 1e9;
  }

  /** Deletes every run of the namespace with one deletecollection request. */
  void deleteAll() {
    admin.resources(DistillationRun.class).inNamespace(namespace).delete();
  }

  int remaining() {
    return admin.resources(DistillationRun.class).inNamespace(namespace).list().getItems().size();
  }
}
