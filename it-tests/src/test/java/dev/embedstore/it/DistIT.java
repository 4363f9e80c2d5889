package dev.embedstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.embedstore.it.LauncherIT.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release bundle as a user meets it: the tarball the build made (dist/) is unpacked into an
 * empty folder and its {@code bin/embedstore} runs with no {@code JAVA_HOME}, no JDK on the {@code
 * PATH} (which holds only links to the few tools the launcher calls) and no Maven, from a working
 * folder outside the bundle.
 */
class DistIT {
  @TempDir static Path tmp;

  static Path bundle;
  static Path tools;
  static Path daemons;

  @BeforeAll
  static void unpack() throws Exception {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(
        os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "the bundle is built on Linux x86-64 only");
    Path tarball = Path.of(System.getProperty("embedstore.dist", "")).toAbsolutePath();
    assertTrue(Files.isRegularFile(tarball), "the build made no release bundle: " + tarball);

    // A folder name with a space, which the launcher must keep as one argument.
    Path into = Files.createDirectories(tmp.resolve("unpacked here"));
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", into.toString())
            .redirectErrorStream(true)
            .start();
    String tarOut = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tar.waitFor(5, TimeUnit.MINUTES), "tar did not finish");
    assertEquals(0, tar.exitValue(), tarOut);
    try (Stream<Path> top = Files.list(into)) {
      List<Path> entries = top.toList();
      assertEquals(1, entries.size(), "one top folder in the tarball: " + entries);
      bundle = entries.get(0);
    }
    assertTrue(Files.isExecutable(bundle.resolve("bin/embedstore")), "bin/embedstore executable");

    daemons = Files.createDirectories(tmp.resolve("daemons"));
    Files.setPosixFilePermissions(
        daemons, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    // A PATH with no java on it: only the tools the launcher calls (and a link to the launcher).
    tools = Files.createDirectories(tmp.resolve("path"));
    for (String tool : List.of("dirname", "readlink")) {
      Path real = Path.of("/usr/bin", tool);
      if (!Files.isExecutable(real)) {
        real = Path.of("/bin", tool);
      }
      Files.createSymbolicLink(tools.resolve(tool), real);
    }
    Files.createSymbolicLink(tools.resolve("embedstore"), bundle.resolve("bin/embedstore"));
    Run java = run(List.of("/bin/sh", "-c", "command -v java"));
    assertNotEquals(0, java.exitCode(), "java is on the test's PATH: " + java.stdout());
  }

  /** Runs a command with the bundle's environment: no JAVA_HOME, PATH of {@link #tools} only. */
  static Run run(List<String> command) throws IOException, InterruptedException {
    Path work = Files.createDirectories(tmp.resolve("work"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    Map<String, String> env = pb.environment();
    env.remove("JAVA_HOME");
    env.remove("EMBEDSTORE_JAVA_HOME");
    env.remove("EMBEDSTORE_JAVA_OPTS");
    env.remove("MAVEN_HOME");
    env.put("PATH", tools.toString());
    env.remove("EMBEDSTORE_DAEMON");
    env.put("EMBEDSTORE_DAEMON_DIR", daemons.toString());
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in 10 minutes");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  static Run embedstore(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(bundle.resolve("bin/embedstore").toString());
    command.addAll(List.of(args));
    return run(command);
  }

  @Test
  void helpRunsOnTheBundlesOwnRuntimeWithItsClassDataSharingArchive() throws Exception {
    Path log = tmp.resolve("class-load.log");
    // The launcher passes extra JVM options on; this one lists where every class came from.
    Run run =
        run(
            List.of(
                "/usr/bin/env",
                "EMBEDSTORE_JAVA_OPTS=-Xlog:class+load=info:file=" + log,
                "EMBEDSTORE_DAEMON=false", // the JVM that runs it is the launcher's own
                bundle.resolve("bin/embedstore").toString(),
                "--help"));
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().contains("Usage: embedstore"), run.stdout());
    assertTrue(run.stdout().contains("search"), run.stdout());
    String loaded = Files.readString(log, StandardCharsets.UTF_8);
    // The JDK's classes from the runtime's own archive, the tool's from the one the training run
    // made, although the bundle was made in another folder than this one.
    assertTrue(loaded.contains("java.lang.Object source: shared objects file"), "no base CDS");
    assertTrue(
        loaded.contains("dev.embedstore.cli.Main source: shared objects file (top)"),
        "the bundle's CDS archive was not used");
    assertTrue(
        loaded.contains("picocli.CommandLine source: shared objects file (top)"),
        "picocli's classes, rewritten as Java 8 classes by the build, are in the archive too");
  }

  @Test
  void indexesAndSearchesWithNoJdkOnTheMachine() throws Exception {
    Path docs = tmp.resolve("docs.jsonl");
    Files.writeString(
        docs,
        """
        {"id": "espresso", "text": "Espresso is brewed by forcing hot water through finely ground coffee."}
        {"id": "rust", "text": "The borrow checker in Rust enforces ownership rules at compile time."}
        {"id": "garden", "text": "Tomatoes need sun, water and well-drained soil; prune the side shoots."}
        """,
        StandardCharsets.UTF_8);
    Path store = tmp.resolve("store");
    Run index = embedstore("index", "--store=" + store, docs.toString(), "--json");
    assertEquals(0, index.exitCode(), index.stderr());
    assertEquals(3, CliIT.field(index.stdout(), "added"), index.stdout());
    assertEquals(3, CliIT.field(index.stdout(), "embedded"), index.stdout());

    // Through the link on PATH, as a user who linked bin/embedstore into ~/bin would call it.
    Run search =
        run(
            List.of(
                tools.resolve("embedstore").toString(),
                "search",
                "--store=" + store,
                "--json",
                "-k",
                "1",
                "how do I make coffee"));
    assertEquals(0, search.exitCode(), search.stderr());
    assertTrue(search.stdout().startsWith("{\"hits\":[{\"id\":\"espresso\""), search.stdout());

    // Both ran in a background process on the bundle's own runtime, which stop ends.
    Run status = embedstore("daemon", "status");
    assertEquals(0, status.exitCode(), status.stderr());
    assertTrue(
        status.stdout().contains("2 commands") && status.stdout().contains(bundle.toString()),
        status.stdout());
    // The search went through the bundle's native client, where the build made one.
    boolean nativeClient = Files.isExecutable(bundle.resolve("lib/embedstore-client"));
    assertTrue(
        status.stdout().contains("(" + (nativeClient ? 1 : 0) + " from the native client)"),
        status.stdout());
    Run stop = embedstore("daemon", "stop");
    assertTrue(stop.stdout().startsWith("stopped pid "), stop.stdout() + stop.stderr());
  }
}
