package dev.embedstore.it;

import static dev.embedstore.it.CliIT.field;
import static dev.embedstore.it.LauncherIT.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background process that runs the launcher's commands in a warm JVM ({@code
 * dev.embedstore.cli.daemon}): a command run through it behaves as one run in a JVM of its own
 * (relative paths, standard input, exit codes, errors), ends when its client is killed, leaves a
 * busy process's client to a JVM of its own, and the process ends when its jars change or it is
 * told to stop. Each test has a private folder of background processes.
 */
class DaemonIT {
  private static final Pattern PID = Pattern.compile("^pid (\\d+) ", Pattern.MULTILINE);

  @TempDir Path tmp;
  Path daemons;
  Path work;

  @BeforeEach
  void folders() throws IOException {
    daemons = Files.createDirectories(tmp.resolve("d"));
    Files.setPosixFilePermissions(daemons, PosixFilePermissions.fromString("rwx------"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  @AfterEach
  void stop() throws Exception {
    run(Map.of(), null, "daemon", "stop");
  }

  /** Runs the launcher in {@link #work} with this test's folder of background processes. */
  Run run(Map<String, String> env, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("embedstore").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("EMBEDSTORE_JAVA_OPTS");
    pb.environment().remove("EMBEDSTORE_DAEMON");
    pb.environment().put("EMBEDSTORE_DAEMON_DIR", daemons.toString());
    pb.environment().put("EMBEDSTORE_DAEMON_IDLE", "120");
    pb.environment().putAll(env);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p = pb.start();
    if (stdin != null) {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("embedstore " + String.join(" ", args) + " did not finish");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  Run ok(String... args) throws Exception {
    Run r = run(Map.of(), null, args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.stderr());
    return r;
  }

  /** The pids of the background processes that answer {@code daemon status}. */
  List<Long> pids() throws Exception {
    Run status = run(Map.of(), null, "daemon", "status");
    assertEquals(0, status.exitCode(), status.stderr());
    List<Long> pids = new ArrayList<>();
    Matcher m = PID.matcher(status.stdout());
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }
    return pids;
  }

  List<Path> sockets() throws IOException {
    try (Stream<Path> files = Files.list(daemons)) {
      return files.filter(f -> f.toString().endsWith(".sock")).toList();
    }
  }

  /** Waits for a condition another process makes true; fails after a generous bound. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "gave up waiting: " + what);
      Thread.sleep(50);
    }
  }

  /**
   * The output without what differs between runs of the same command: timings, and the last bits of
   * scores (a short command's own JVM runs Lucene's scalar dot product under C1 only, the
   * background process its SIMD one: sums in another order).
   */
  static String comparable(String json) {
    Matcher m = Pattern.compile("\"score\":(-?[0-9.eE-]+)").matcher(json);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String rounded = String.format(java.util.Locale.ROOT, "%.5f", Double.parseDouble(m.group(1)));
      m.appendReplacement(out, "\"score\":" + rounded);
    }
    m.appendTail(out);
    return out.toString().replaceAll("\"seconds\":[0-9.eE-]+", "\"seconds\":0");
  }

  @Test
  void aRelayedCommandSeesTheClientsFolderAndPrintsWhatItsOwnJvmWould() throws Exception {
    Path docs = Files.createDirectories(work.resolve("docs"));
    Files.writeString(docs.resolve("garden.md"), "Tomatoes need sun, water and well-drained soil.");
    Files.writeString(docs.resolve("coffee.txt"), "Espresso is brewed by forcing hot water.");
    StringBuilder queries = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      queries.append("{\"id\":\"q").append(i).append("\",\"text\":\"query ").append(i);
      queries.append(i % 2 == 0 ? " coffee\"}\n" : " garden\"}\n");
    }
    Files.writeString(work.resolve("queries.jsonl"), queries.toString());

    Map<String, String> own = Map.of("EMBEDSTORE_DAEMON", "false");
    Map<String, Run> byMode = new HashMap<>();
    for (String mode : List.of("relayed", "own")) {
      Map<String, String> env = mode.equals("own") ? own : Map.of();
      String store = "store-" + mode;
      // Relative paths: the client's folder, not the background process's.
      Run index = run(env, null, "index", "docs", "--store", store, "--json");
      assertEquals(0, index.exitCode(), index.stderr());
      assertEquals(2, field(index.stdout(), "added"), index.stdout());
      assertTrue(Files.isDirectory(work.resolve(store)), "the store is in the client's folder");
      Run search = run(env, null, "search", "growing tomatoes", "--store", store, "--json");
      assertEquals(0, search.exitCode(), search.stderr());
      // A file's id is its path as typed.
      assertTrue(
          search.stdout().startsWith("{\"hits\":[{\"id\":\"docs/garden.md\""), search.stdout());
      Run many = run(env, null, "search", "--queries", "queries.jsonl", "--store", store, "--json");
      assertEquals(0, many.exitCode(), many.stderr());
      assertEquals(300, many.stdout().lines().count());
      byMode.put(mode + "-index", index);
      byMode.put(mode + "-search", search);
      byMode.put(mode + "-many", many);
      if (mode.equals("relayed")) {
        assertEquals(1, pids().size(), "the relayed commands ran in one background process");
        // The first command's Java client started the process; where the build made the native
        // client, it found the same process for the next two (its key is the Java client's).
        Matcher counts =
            Pattern.compile("(\\d+) commands \\((\\d+) from the native client\\)")
                .matcher(status());
        assertTrue(counts.find(), status());
        assertEquals(3, Integer.parseInt(counts.group(1)));
        boolean built = Files.isExecutable(ROOT.resolve("cli/target/embedstore-client"));
        assertEquals(built ? 2 : 0, Integer.parseInt(counts.group(2)), status());
      }
    }
    for (String what : List.of("index", "search", "many")) {
      assertEquals(
          comparable(byMode.get("own-" + what).stdout()),
          comparable(byMode.get("relayed-" + what).stdout()),
          what);
    }
    // Warnings and progress stay on stderr, results on stdout, in both.
    assertFalse(byMode.get("relayed-search").stdout().contains("warning"));
  }

  @Test
  void standardInputIsReadOnlyWhenTheCommandAsksForIt() throws Exception {
    Run piped =
        run(
            Map.of(),
            "{\"id\":\"a\",\"text\":\"stdin record about coffee\"}\n"
                + "{\"id\":\"b\",\"text\":\"stdin record about tea\"}\n",
            "index",
            "-",
            "--store",
            "st",
            "--json");
    assertEquals(0, piped.exitCode(), piped.stderr());
    assertEquals(2, field(piped.stdout(), "added"), piped.stdout());

    // A command that reads no input leaves it to whatever reads next, as a JVM of its own does.
    Path script = tmp.resolve("both.sh");
    Files.writeString(
        script,
        "printf 'left for cat\\n' | { \"$1\" stats --store st >/dev/null && cat; }\n",
        StandardCharsets.UTF_8);
    ProcessBuilder pb =
        new ProcessBuilder("sh", script.toString(), ROOT.resolve("embedstore").toString())
            .directory(work.toFile());
    pb.environment().put("EMBEDSTORE_DAEMON_DIR", daemons.toString());
    pb.environment().remove("EMBEDSTORE_DAEMON");
    pb.environment().remove("JAVA_HOME");
    Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    assertEquals("left for cat\n", out);
    assertEquals(1, pids().size(), "stats ran in the background process");
  }

  @Test
  void failuresKeepTheirExitCodesAndMessagesAndTheProcess() throws Exception {
    Run missing = run(Map.of(), null, "search", "x", "--store", "nothing-here");
    assertEquals(1, missing.exitCode());
    assertTrue(
        missing.stderr().contains("error: no store at " + work.resolve("nothing-here")),
        missing.stderr());
    assertTrue(missing.stdout().isEmpty(), missing.stdout());
    List<Long> before = pids();
    assertEquals(1, before.size());

    Run usage = run(Map.of(), null, "search", "--no-such-option");
    assertEquals(2, usage.exitCode());
    assertTrue(usage.stderr().contains("--no-such-option"), usage.stderr());
    // A failure the user can act on leaves the process serving.
    assertEquals(before, pids());
  }

  @Test
  void killingTheClientEndsItsCommandAndTheProcessAsAKillOfItsOwnJvmWould() throws Exception {
    List<String> cmd =
        List.of(ROOT.resolve("embedstore").toString(), "index", "-", "--store", "held", "--json");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("EMBEDSTORE_DAEMON_DIR", daemons.toString());
    pb.environment().remove("EMBEDSTORE_DAEMON");
    pb.environment().remove("JAVA_HOME");
    Process client = pb.redirectError(tmp.resolve("client.err").toFile()).start();
    // The command waits on its input: the background process is busy until the client goes.
    OutputStream in = client.getOutputStream();
    in.write("{\"id\":\"a\",\"text\":\"the first record\"}\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    await("the command to run", () -> status().contains("running a command"));
    long daemon = pids().get(0);

    client.destroyForcibly(); // SIGKILL: the launcher execs java, so this is the client JVM
    assertTrue(client.waitFor(30, TimeUnit.SECONDS));
    await("the background process to end", () -> ProcessHandle.of(daemon).isEmpty());
    assertTrue(sockets().isEmpty(), "it removed its socket: " + sockets());

    // The store's lock went with it: a next command writes the store.
    Run again =
        run(
            Map.of(),
            "{\"id\":\"b\",\"text\":\"a later record\"}\n",
            "index",
            "-",
            "--store",
            "held");
    assertEquals(0, again.exitCode(), again.stderr());
    assertNotEquals(daemon, pids().get(0), "a new process ran it");
  }

  @Test
  void whileTheProcessIsBusyACommandRunsInAJvmOfItsOwn() throws Exception {
    ok("index", "-", "--store", "other"); // an empty input: creates nothing, starts the process
    Files.writeString(work.resolve("one.jsonl"), "{\"id\":\"x\",\"text\":\"growing tomatoes\"}\n");
    ok("index", "one.jsonl", "--store", "other");

    List<String> cmd =
        List.of(ROOT.resolve("embedstore").toString(), "index", "-", "--store", "busy", "--json");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("EMBEDSTORE_DAEMON_DIR", daemons.toString());
    pb.environment().remove("EMBEDSTORE_DAEMON");
    pb.environment().remove("JAVA_HOME");
    Path out = tmp.resolve("busy.out");
    Process first =
        pb.redirectOutput(out.toFile()).redirectError(tmp.resolve("busy.err").toFile()).start();
    OutputStream in = first.getOutputStream();
    in.write("{\"id\":\"a\",\"text\":\"the first record\"}\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    await("the first command to run", () -> status().contains("running a command"));

    // The first command holds the process until its input ends; this one does not wait for it.
    Run second = run(Map.of(), null, "search", "tomatoes", "--store", "other", "--json");
    assertEquals(0, second.exitCode(), second.stderr());
    assertTrue(second.stdout().startsWith("{\"hits\":[{\"id\":\"x\""), second.stdout());
    assertTrue(first.isAlive(), "the first command is still waiting on its input");

    in.write("{\"id\":\"b\",\"text\":\"the second record\"}\n".getBytes(StandardCharsets.UTF_8));
    in.close();
    assertTrue(first.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, first.exitValue(), Files.readString(tmp.resolve("busy.err")));
    assertEquals(2, field(Files.readString(out), "added"));
  }

  @Test
  void aRebuiltJarGetsANewProcessAndTheOldOneEnds() throws Exception {
    ok("index", "-", "--store", "st"); // an empty input: an empty store
    List<Long> before = pids();
    assertEquals(1, before.size(), "one process after the first command");
    // What a rebuild does to the jar: the old process is stale.
    Path jar = ROOT.resolve("cli/target/embedstore-cli.jar");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
    ok("stats", "--store", "st");
    await("the stale process to end", () -> ProcessHandle.of(before.get(0)).isEmpty());
    List<Long> after = pids();
    assertEquals(1, after.size(), after.toString());
    assertNotEquals(before.get(0), after.get(0));
  }

  @Test
  void helpStartsNoProcessButUsesARunningOne() throws Exception {
    Run alone = ok("--help");
    assertTrue(alone.stdout().startsWith("Usage: embedstore"), alone.stdout());
    assertTrue(sockets().isEmpty(), "help started a process: " + sockets());

    ok("index", "-", "--store", "st");
    Run relayed = ok("--help");
    assertEquals(alone.stdout(), relayed.stdout());
    Matcher counts = Pattern.compile("(\\d+) commands").matcher(status());
    assertTrue(counts.find(), status());
    boolean built = Files.isExecutable(ROOT.resolve("cli/target/embedstore-client"));
    // With the native client, help ran in the process the index started.
    assertEquals(built ? 2 : 1, Integer.parseInt(counts.group(1)), status());
  }

  @Test
  void stopEndsEveryProcess() throws Exception {
    ok("index", "-", "--store", "st");
    long pid = pids().get(0);
    Run stop = run(Map.of(), null, "daemon", "stop");
    assertEquals(0, stop.exitCode(), stop.stderr());
    assertTrue(stop.stdout().contains("stopped pid " + pid), stop.stdout());
    await("the process to end", () -> ProcessHandle.of(pid).isEmpty());
    assertTrue(pids().isEmpty());
    assertTrue(sockets().isEmpty(), sockets().toString());
  }

  @Test
  void turnedOffOrWithAFolderOthersCanEnterNoProcessStarts() throws Exception {
    Run off = run(Map.of("EMBEDSTORE_DAEMON", "false"), null, "index", "-", "--store", "st");
    assertEquals(0, off.exitCode(), off.stderr());
    assertTrue(off.stdout().startsWith("indexed 0 documents"), off.stdout());
    assertTrue(sockets().isEmpty(), sockets().toString());

    Path open = Files.createDirectories(tmp.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run refused =
        run(Map.of("EMBEDSTORE_DAEMON_DIR", open.toString()), null, "stats", "--store", "st");
    assertEquals(0, refused.exitCode(), refused.stderr());
    assertTrue(refused.stdout().contains("documents"), refused.stdout());
    assertTrue(refused.stderr().contains("is not private"), refused.stderr());
    try (Stream<Path> files = Files.list(open)) {
      assertEquals(0, files.count(), "nothing was started in a folder others can enter");
    }
  }

  private String status() {
    try {
      return run(Map.of(), null, "daemon", "status").stdout();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
