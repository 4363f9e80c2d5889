package dev.embedstore.bench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole-process benchmarks' child processes from the repository root and times each from
 * its start to its exit. Their standard error goes to one log file; standard input is empty.
 *
 * <p>Not thread-safe: one report drives it.
 */
final class ChildProcesses {
  /**
   * The environment variable that makes a command run in a JVM of its own (no background process).
   */
  static final Map<String, String> OWN_JVM = Map.of("EMBEDSTORE_DAEMON", "false");

  private final Path root;
  private final Path stderr;
  private final Map<String, String> env = new LinkedHashMap<>();

  /**
   * @param root the repository root: the working directory, and where the launcher is
   * @param stderr the file every child's standard error is appended to
   */
  ChildProcesses(Path root, Path stderr) {
    this.root = root;
    this.stderr = stderr;
  }

  /**
   * Sets an environment variable for every child from now on.
   *
   * @param name the variable
   * @param value its value
   */
  void environment(String name, String value) {
    env.put(name, value);
  }

  /**
   * Gives the launcher's background processes a private folder under {@code scratch}, so that the
   * report neither uses nor stops the user's.
   *
   * @param scratch the report's scratch folder
   * @return the folder
   * @throws IOException if it cannot be made
   */
  Path privateDaemons(Path scratch) throws IOException {
    Path dir =
        Files.createDirectories(
            scratch.resolve("daemons"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    environment("EMBEDSTORE_DAEMON_DIR", dir.toString());
    return dir;
  }

  /** The repository root: the {@code embedstore.root} property, or the working directory. */
  static Path repoRoot() {
    return Path.of(System.getProperty("embedstore.root", ".")).toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  Path stderr() {
    return stderr;
  }

  /** The {@code embedstore} launcher with these arguments; a list argument is spliced in. */
  List<String> launcher(Object... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("embedstore").toString());
    for (Object a : args) {
      if (a instanceof List<?> l) {
        l.forEach(x -> cmd.add(x.toString()));
      } else {
        cmd.add(a.toString());
      }
    }
    return cmd;
  }

  /** Runs a child process to its end: its time and output, or null if it exited non-zero. */
  Timed run(List<String> cmd) throws IOException, InterruptedException {
    return run(cmd, Map.of());
  }

  /**
   * Runs a child process to its end with more environment variables: its time and output, or null
   * if it exited non-zero.
   */
  Timed run(List<String> cmd, Map<String, String> more) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    pb.environment().putAll(env);
    pb.environment().putAll(more);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    long t0 = System.nanoTime();
    Process p = pb.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int rc = p.waitFor();
    double s = (System.nanoTime() - t0) / 1e9;
    return rc == 0 ? new Timed(s, out) : null;
  }

  /** Runs a child process that must succeed. */
  Timed exec(List<String> cmd) throws IOException, InterruptedException {
    return exec(cmd, Map.of());
  }

  /** Runs a child process that must succeed, with more environment variables. */
  Timed exec(List<String> cmd, Map<String, String> more) throws IOException, InterruptedException {
    Timed t = run(cmd, more);
    if (t == null) {
      throw new IOException("failed (see " + stderr + "): " + String.join(" ", cmd));
    }
    return t;
  }

  /** A numeric top-level field of the first JSON object in a child's output, or NaN. */
  static double number(String jsonText, String field) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(jsonText)) {
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
          if (depth == 0) {
            break;
          }
        } else if (depth == 1 && t == JsonToken.FIELD_NAME && field.equals(p.currentName())) {
          p.nextToken();
          return p.getValueAsDouble(Double.NaN);
        }
      }
    }
    return Double.NaN;
  }

  /** Writes one JSON line {@code {"id": id, "text": text}}. */
  static void docLine(Writer w, String id, String text) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.writeStartObject();
      g.writeStringField("id", id);
      g.writeStringField("text", text);
      g.writeEndObject();
    }
    w.write('\n');
  }

  /** One finished child process: its wall-clock seconds and its standard output. */
  record Timed(double seconds, String stdout) {}
}
