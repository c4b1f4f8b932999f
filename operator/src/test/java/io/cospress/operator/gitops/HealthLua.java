package io.cospress.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.DistillationRun;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Argo CD health check {@code charts/cospress-operator/argocd/health.lua} as Argo CD does,
 * with real Lua interpreters: gopher-lua is Lua 5.1, so {@code lua5.1} must be on the PATH; {@code
 * lua5.4} runs too when present. Every JSON number becomes a Lua float, as in gopher-lua.
 */
final class HealthLua {

  private static final Path SCRIPT = Path.of("../charts/cospress-operator/argocd/health.lua");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** What the script returned. */
  record Health(String status, String message) {}

  private final List<Path> interpreters;
  private final Path script;

  private HealthLua(List<Path> interpreters, Path script) {
    this.interpreters = interpreters;
    this.script = script;
  }

  /** The interpreters on the PATH and the chart's script; fails the test without lua5.1. */
  static HealthLua find() {
    Optional<Path> lua51 = onPath("lua5.1");
    if (lua51.isEmpty()) {
      fail(
          "lua5.1 is not on the PATH. Argo CD runs health checks with gopher-lua, which is Lua 5.1;"
              + " install the Debian package lua5.1 (apt-get install -y lua5.1) to run this test.");
    }
    List<Path> found = new ArrayList<>(List.of(lua51.get()));
    onPath("lua5.4").ifPresent(found::add);
    Path script = SCRIPT.toAbsolutePath().normalize();
    assertThat(script)
        .as("the health check, relative to the operator module (%s)", Path.of("").toAbsolutePath())
        .isRegularFile();
    return new HealthLua(List.copyOf(found), script);
  }

  /** The run as Argo CD hands it to the script: its JSON form. */
  static JsonNode asJson(DistillationRun run) throws IOException {
    return JSON.readTree(SERIALIZATION.asJson(run));
  }

  /** The health on every interpreter, checking that they agree. */
  Health evaluate(JsonNode run, Path workDir) throws IOException, InterruptedException {
    Health first = null;
    for (Path lua : interpreters) {
      Health health = evaluate(lua, run, workDir);
      if (first == null) {
        first = health;
      } else {
        assertThat(health).as("%s agrees with %s", lua, interpreters.get(0)).isEqualTo(first);
      }
    }
    return first;
  }

  void assertHealth(JsonNode run, String status, String message, Path workDir)
      throws IOException, InterruptedException {
    assertThat(evaluate(run, workDir))
        .as("health.lua for %s", run)
        .isEqualTo(new Health(status, message));
  }

  /**
   * Runs the script as Argo CD does: {@code obj} is the resource as a table, the script's return
   * value is the health. Libraries Argo CD's sandbox does not offer are removed first.
   */
  private Health evaluate(Path lua, JsonNode run, Path workDir)
      throws IOException, InterruptedException {
    String driver =
        "obj = "
            + toLua(run)
            + "\n"
            + "local write = io.write\n"
            + "io, os, debug, package, require = nil, nil, nil, nil, nil\n"
            + "local hs = dofile("
            + luaString(script.toString())
            + ")\n"
            + "if type(hs) ~= 'table' or type(hs.status) ~= 'string'"
            + " or type(hs.message) ~= 'string' then\n"
            + "  error('health.lua must return {status = string, message = string}')\n"
            + "end\n"
            + "write(hs.status, '\\n', hs.message)\n";
    Path file = Files.createTempFile(workDir, "driver", ".lua");
    Files.writeString(file, driver, StandardCharsets.UTF_8);
    Path stdout = workDir.resolve(file.getFileName() + ".stdout");
    Path stderr = workDir.resolve(file.getFileName() + ".stderr");
    Process process =
        new ProcessBuilder(lua.toString(), file.toString())
            .directory(workDir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(lua + " did not finish within 30 s");
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      fail(
          "%s failed (exit %d), which Argo CD shows as an unknown health:%n%s%nstdout: %s",
          lua, process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8), out);
    }
    int newline = out.indexOf('\n');
    assertThat(newline).as("output of %s: %s", lua, out).isNotNegative();
    return new Health(out.substring(0, newline), out.substring(newline + 1));
  }

  /** A Lua table constructor for a JSON value; numbers become floats, as in gopher-lua. */
  static String toLua(JsonNode node) {
    StringBuilder lua = new StringBuilder();
    appendLua(node, lua);
    return lua.toString();
  }

  private static void appendLua(JsonNode node, StringBuilder lua) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      lua.append("nil");
    } else if (node.isBoolean()) {
      lua.append(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      lua.append(node.bigIntegerValue()).append(".0");
    } else if (node.isNumber()) {
      lua.append(Double.toString(node.doubleValue()));
    } else if (node.isTextual()) {
      lua.append(luaString(node.textValue()));
    } else if (node.isArray()) {
      lua.append('{');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          lua.append(", ");
        }
        appendLua(node.get(i), lua);
      }
      lua.append('}');
    } else if (node.isObject()) {
      lua.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        lua.append('[').append(luaString(field.getKey())).append("]=");
        appendLua(field.getValue(), lua);
        if (fields.hasNext()) {
          lua.append(", ");
        }
      }
      lua.append('}');
    } else {
      throw new IllegalArgumentException("no Lua form for " + node.getNodeType());
    }
  }

  /**
   * A double-quoted Lua string of the UTF-8 bytes of {@code text}: printable ASCII as is, quote and
   * backslash escaped, every other byte as a three-digit decimal escape, which Lua 5.1 and 5.4 read
   * alike.
   */
  static String luaString(String text) {
    StringBuilder lua = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c == '"' || c == '\\') {
        lua.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        lua.append((char) c);
      } else {
        lua.append('\\').append(String.format("%03d", c));
      }
    }
    return lua.append('"').toString();
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
