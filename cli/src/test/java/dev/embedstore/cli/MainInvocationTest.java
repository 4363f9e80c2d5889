package dev.embedstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command run for a client of the background process ({@link Main#run(Invocation, String...)})
 * sees the client's folder and streams, not the JVM's, and says whether it ended cleanly.
 */
class MainInvocationTest {
  @TempDir Path tmp;

  record Result(Main.Outcome outcome, String out, String err) {}

  static Result run(Path cwd, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Invocation invocation =
        new Invocation(
            cwd,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    Main.Outcome outcome = Main.run(invocation, args);
    return new Result(
        outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pathsAreTheClientsAndSoAreTheStreams() throws Exception {
    Path client = Files.createDirectories(tmp.resolve("client folder"));
    Result missing = run(client, "", "stats", "--store", "st");
    assertEquals(1, missing.outcome().exitCode());
    assertTrue(missing.outcome().clean(), "a missing store is the user's to fix, not a bug");
    assertTrue(
        missing.err().startsWith("error: no store at " + client.resolve("st")), missing.err());
    assertEquals("", missing.out());

    // Standard input is the invocation's: two records from it, into a store in the client's folder.
    Result indexed =
        run(
            client,
            "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n",
            "index",
            "-",
            "--store",
            "st",
            "--json",
            "--model",
            "all-minilm-l6-v2-q");
    assertEquals(0, indexed.outcome().exitCode(), indexed.err());
    assertTrue(indexed.out().contains("\"added\":2"), indexed.out());
    assertTrue(Files.isDirectory(client.resolve("st")), "the store is in the client's folder");
    assertFalse(Files.exists(Path.of("st")), "nothing in the JVM's own folder");
  }

  @Test
  void aUsageErrorIsCleanAndExitsTwo() {
    Result usage = run(tmp, "", "search", "--no-such-option");
    assertEquals(2, usage.outcome().exitCode());
    assertTrue(usage.outcome().clean());
    assertTrue(usage.err().contains("--no-such-option"), usage.err());
  }
}
