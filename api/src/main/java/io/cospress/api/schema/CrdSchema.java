package io.cospress.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cospress.api.v1alpha1.CosPressConstants;
import io.cospress.api.v1alpha1.DistillationRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The openAPIV3Schema of the generated CRD, read from the api jar (the build writes it there), so a
 * local run is checked against exactly the schema, defaults and CEL rules the API server applies in
 * a cluster.
 */
public final class CrdSchema {

  public static final String RESOURCE =
      "META-INF/fabric8/" + CosPressConstants.CRD_NAME + "-v1.yml";

  private static volatile JsonNode schema;

  private CrdSchema() {}

  /** The whole openAPIV3Schema; callers must not modify it. */
  public static JsonNode openApiV3() {
    JsonNode cached = schema;
    if (cached == null) {
      cached = load();
      schema = cached;
    }
    return cached;
  }

  /** The schema of {@code spec}; callers must not modify it. */
  public static JsonNode specSchema() {
    return openApiV3().path("properties").path("spec");
  }

  private static JsonNode load() {
    try (InputStream in = DistillationRun.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("CRD schema " + RESOURCE + " missing from the classpath");
      }
      JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(in);
      for (JsonNode version : crd.path("spec").path("versions")) {
        if (CosPressConstants.VERSION.equals(version.path("name").asText())) {
          return version.path("schema").path("openAPIV3Schema");
        }
      }
      throw new IllegalStateException("CRD has no version " + CosPressConstants.VERSION);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
