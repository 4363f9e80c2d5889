package dev.embedstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the real {@code ./embedstore} launcher as a child process, as a user would. */
class LauncherIT {
  static final Path ROOT =
      Path.of(System.getProperty("embedstore.root", "..")).toAbsolutePath().normalize();

  record Run(int exitCode, String stdout, String stderr) {}

  /**
   * Where the background processes of this test run live: a private folder of their own, so that
   * tests never use (or stop) the user's, and none outlives the run by long (the idle time below,
   * and a {@code daemon stop} when the test JVM ends).
   */
  static final Path DAEMONS = daemonFolder();

  private static Path daemonFolder() {
    try {
      Path dir = Files.createTempDirectory("esd-it"); // mode 0700: the client checks it
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      ProcessBuilder pb =
                          new ProcessBuilder(
                                  ROOT.resolve("embedstore").toString(), "daemon", "stop")
                              .redirectErrorStream(true)
                              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                      daemonEnvironment(pb.environment(), dir);
                      pb.start().waitFor(60, TimeUnit.SECONDS);
                      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                        for (Path f :
                            (Iterable<Path>)
                                files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                          Files.deleteIfExists(f);
                        }
                      }
                    } catch (IOException | InterruptedException e) {
                      // best effort: they end after their idle time anyway
                    }
                  },
                  "stop-test-daemons"));
      return dir;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Points a child's launcher at the test run's background processes. */
  static void daemonEnvironment(java.util.Map<String, String> env) {
    daemonEnvironment(env, DAEMONS);
  }

  private static void daemonEnvironment(java.util.Map<String, String> env, Path dir) {
    env.put("EMBEDSTORE_DAEMON_DIR", dir.toString());
    env.put("EMBEDSTORE_DAEMON_IDLE", "120");
    env.remove("EMBEDSTORE_DAEMON");
  }

  static Run embedstore(String... args) throws IOException, InterruptedException {
    return embedstoreWithOptions(null, args);
  }

  /**
   * Runs the launcher with {@code EMBEDSTORE_JAVA_OPTS} set to {@code javaOptions}, unless null.
   */
  static Run embedstoreWithOptions(String javaOptions, String... args)
      throws IOException, InterruptedException {
    return embedstore(
        javaOptions == null ? Map.of() : Map.of("EMBEDSTORE_JAVA_OPTS", javaOptions), null, args);
  }

  /**
   * Runs the launcher with {@code EMBEDSTORE_JAVA_OPTS} set to {@code javaOptions}, unless null, in
   * a JVM of its own (no background process: {@code EMBEDSTORE_DAEMON=false}), where the options
   * reach the JVM that runs the command.
   */
  static Run embedstoreInOwnJvm(String javaOptions, String... args)
      throws IOException, InterruptedException {
    Map<String, String> env = new java.util.HashMap<>(Map.of("EMBEDSTORE_DAEMON", "false"));
    if (javaOptions != null) {
      env.put("EMBEDSTORE_JAVA_OPTS", javaOptions);
    }
    return embedstore(env, null, args);
  }

  /**
   * Runs the launcher with more environment variables (such as {@code EMBEDSTORE_DAEMON=false}, so
   * that {@code EMBEDSTORE_JAVA_OPTS} applies to the JVM that runs the command) and a file as
   * stdin, unless null.
   */
  static Run embedstore(Map<String, String> env, Path stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("embedstore").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    // The launcher must find a JDK 21+ by itself, as on a newcomer's machine.
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("EMBEDSTORE_JAVA_OPTS");
    daemonEnvironment(pb.environment());
    pb.environment().putAll(env);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Path out = Files.createTempFile("embedstore-out", ".txt");
    Path err = Files.createTempFile("embedstore-err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(
            "embedstore " + String.join(" ", args) + " did not finish in 10 minutes");
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void helpListsTheCommands() throws Exception {
    Run run = embedstore("--help");
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().contains("Usage: embedstore"), run.stdout());
    assertTrue(run.stdout().contains("help"), run.stdout());
  }

  @Test
  void anUnknownOptionIsAUsageError() throws Exception {
    Run run = embedstore("--no-such-option");
    assertEquals(2, run.exitCode(), run.stderr());
    assertTrue(run.stderr().contains("--no-such-option"), run.stderr());
  }
}
