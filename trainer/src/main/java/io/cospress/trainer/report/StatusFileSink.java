package io.cospress.trainer.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code status.json} beside the checkpoints with the same fields the CR status carries, so
 * a local run can be inspected (and scripted) like a cluster run. Written atomically.
 */
public final class StatusFileSink implements StatusSink {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;

  public StatusFileSink(Path file) {
    this.file = file;
  }

  @Override
  public void report(TrainerReport report, boolean milestone) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", report.state());
    status.put("message", report.message());
    status.put("progress", report.progress());
    status.put("metrics", report.metrics());
    status.put("checkpoint", report.checkpoint());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp); // a link planted under this name is removed, not followed
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        JSON.writeValue(out, status);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
