package io.cospress.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the API server's audit log as it grows: every request the server completed, with who sent
 * it, the verb, the resource and when the server finished it. Counting requests here measures what
 * the API server actually received, whatever the client thinks it sent.
 */
final class AuditLog {

  /** One completed request. */
  record Request(
      String user,
      String verb,
      String resource,
      String subresource,
      String namespace,
      String name,
      int code,
      Instant completed) {

    private static final Set<String> WRITES =
        Set.of("create", "update", "patch", "delete", "deletecollection");

    boolean isWrite() {
      return WRITES.contains(verb);
    }

    /** verb and resource as in RBAC, e.g. {@code patch distillationruns/status}. */
    String verbAndResource() {
      return verb + " " + resource + (subresource == null ? "" : "/" + subresource);
    }

    boolean is(String verb, String resource, String subresource) {
      return this.verb.equals(verb)
          && resource.equals(this.resource)
          && java.util.Objects.equals(subresource, this.subresource);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private long position;
  private final List<Request> requests = new ArrayList<>();

  AuditLog(Path file) {
    this.file = file;
  }

  /** Reads what was appended since the last call; returns all requests read so far. */
  synchronized List<Request> poll() throws IOException {
    if (!Files.exists(file)) {
      return requests;
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= position) {
        return requests;
      }
      byte[] bytes = new byte[(int) (length - position)];
      in.seek(position);
      in.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          parse(new String(bytes, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      // A line still being written stays for the next call.
      position += start;
    }
    return requests;
  }

  private void parse(String line) throws IOException {
    if (line.isBlank()) {
      return;
    }
    JsonNode event = JSON.readTree(line);
    JsonNode ref = event.path("objectRef");
    requests.add(
        new Request(
            event.path("user").path("username").asText(),
            event.path("verb").asText(),
            text(ref, "resource"),
            text(ref, "subresource"),
            text(ref, "namespace"),
            text(ref, "name"),
            event.path("responseStatus").path("code").asInt(),
            Instant.parse(event.path("stageTimestamp").asText())));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
