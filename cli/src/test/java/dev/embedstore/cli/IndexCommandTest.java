package dev.embedstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cli.input.Spool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embedstore index} in this JVM, with the default model, in a working folder of its own
 * (relative paths as typed): what a bad record does wherever it is, which of repeated ids wins, and
 * that stdin's spool does not outlive the command.
 */
class IndexCommandTest {
  @TempDir Path cwd;

  record Run(int exitCode, String stdout, String stderr) {}

  Run run(String stdin, String... args) {
    MainInvocationTest.Result r = MainInvocationTest.run(cwd, stdin, args);
    return new Run(r.outcome().exitCode(), r.out(), r.err());
  }

  Run ok(String stdin, String... args) {
    Run r = run(stdin, args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.stderr());
    return r;
  }

  static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?[0-9]+)").matcher(json);
    assertTrue(m.find(), name + " missing in " + json);
    return Long.parseLong(m.group(1));
  }

  void write(String file, String... lines) throws IOException {
    Files.writeString(cwd.resolve(file), String.join("\n", lines) + "\n");
  }

  static String record(String id, String text) {
    return "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"}";
  }

  /** Indexing {@code file} again would change nothing: the store holds exactly its records. */
  void assertStoreHolds(String file, int documents) {
    Run again = ok("", "index", file, "--store", "store", "--json");
    assertEquals(documents, field(again.stdout(), "unchanged"), again.stdout());
    assertEquals(0, field(again.stdout(), "added"), again.stdout());
    assertEquals(0, field(again.stdout(), "updated"), again.stdout());
    Run stats = ok("", "stats", "--store", "store", "--json");
    assertEquals(documents, field(stats.stdout(), "documents"), stats.stdout());
  }

  @Test
  void aBadRecordAnywhereLeavesTheStoreUntouched() throws IOException {
    write(
        "base.jsonl",
        "{\"id\": \"a\", \"text\": \"apples\", \"metadata\": {\"year\": 2020}}",
        record("b", "bananas"));
    ok("", "index", "base.jsonl", "--store", "store");
    String longId = "i".repeat(40_000);

    // A malformed record last, after valid ones and a repeated id (read before the bad line).
    write(
        "late.jsonl",
        record("a", "apricots"),
        record("c", "cherries"),
        record("a", "avocados"),
        "",
        "{\"id\": \"d\", \"text\": 42}");
    // The store's refusal last, in a second file, after a first that would change a document.
    write("first.jsonl", record("b", "blueberries"), record("e", "elderberries"));
    write(
        "refused.jsonl",
        record("f", "figs"),
        record("f", "figs again"),
        "{\"id\": \"g\", \"text\": \"grapes\", \"metadata\": {\"year\": \"MMXX\"}}");
    String stdinMalformed =
        String.join("\n", record("a", "from stdin"), record("a", "from stdin again"), "not json");
    String stdinRefused =
        String.join("\n", record("h", "honeydew"), record(longId, "an id too long"));

    record Case(String name, String stdin, List<String> paths, String firstProblem, long more) {}
    for (Case c :
        List.of(
            new Case("late", "", List.of("late.jsonl"), "late.jsonl:5: \"text\" must be", 0),
            new Case(
                "refused",
                "",
                List.of("first.jsonl", "refused.jsonl"),
                "refused.jsonl:3: document g: metadata field year is a string",
                0),
            new Case("stdin malformed", stdinMalformed, List.of("-"), "-:3: invalid JSON", 0),
            new Case(
                "stdin refused",
                stdinRefused,
                List.of("first.jsonl", "-"),
                "-:2: document iiii",
                0),
            new Case(
                "both",
                stdinMalformed,
                List.of("late.jsonl", "-"),
                "late.jsonl:5: \"text\" must be",
                1))) {
      List<String> args =
          Stream.concat(
                  Stream.of("index"),
                  Stream.concat(c.paths().stream(), Stream.of("--store", "store", "--json")))
              .toList();
      Run fail = run(c.stdin(), args.toArray(String[]::new));
      assertEquals(1, fail.exitCode(), c.name() + ": " + fail.stderr());
      assertTrue(
          fail.stderr().contains("error: " + c.firstProblem()), c.name() + ": " + fail.stderr());
      assertTrue(fail.stderr().contains("nothing was indexed"), c.name() + ": " + fail.stderr());
      assertEquals(
          c.more() > 0,
          fail.stderr().contains("(and " + c.more() + " more problem"),
          c.name() + ": " + fail.stderr());
      assertEquals("", fail.stdout(), c.name());
      assertStoreHolds("base.jsonl", 2);
    }

    // The same inputs with --on-error skip: the valid records, the last of each id.
    Run skip =
        ok(
            stdinMalformed,
            "index",
            "late.jsonl",
            "refused.jsonl",
            "-",
            "--store",
            "store",
            "--on-error",
            "skip",
            "--json");
    assertEquals(3, field(skip.stdout(), "errors"), skip.stdout());
    assertEquals(4, field(skip.stdout(), "duplicates"), skip.stdout());
    assertEquals(
        List.of(
            "skipped: late.jsonl:5: \"text\" must be a string; found a number",
            "skipped: -:3: invalid JSON: Unrecognized token 'not': was expecting (JSON String,"
                + " Number, Array, Object or token 'null', 'true' or 'false')",
            "skipped: refused.jsonl:3: document g: metadata field year is a string here, but the"
                + " field holds long values (in the store or an earlier document); use one type"
                + " per field"),
        skip.stderr().lines().filter(l -> l.startsWith("skipped: ")).toList());
    write(
        "expected.jsonl",
        "{\"id\": \"a\", \"text\": \"from stdin again\"}",
        record("b", "bananas"),
        record("c", "cherries"),
        record("f", "figs again"));
    assertStoreHolds("expected.jsonl", 4);
  }

  @Test
  void theLastRecordOfAnIdWinsAcrossFilesAndWithinStdin() throws IOException {
    write("one.jsonl", record("x", "x from one"), record("y", "y from one"));
    write("two.jsonl", record("x", "x from two"), record("z", "z from two"));
    String stdin =
        String.join("\n", record("y", "y from stdin"), record("w", "w"), record("y", "y last"));
    Run run = ok(stdin, "index", "one.jsonl", "-", "two.jsonl", "--store", "store", "--json");
    assertEquals(
        List.of(
            "warning: -:1: id y repeats one.jsonl:2; the last wins",
            "warning: -:3: id y repeats -:1; the last wins",
            "warning: two.jsonl:1: id x repeats one.jsonl:1; the last wins"),
        run.stderr().lines().filter(l -> l.startsWith("warning: ")).toList());
    assertEquals(3, field(run.stdout(), "duplicates"), run.stdout());
    assertEquals(4, field(run.stdout(), "documents"), run.stdout());
    assertEquals(4, field(run.stdout(), "added"), run.stdout());
    write(
        "expected.jsonl",
        record("x", "x from two"),
        record("y", "y last"),
        record("w", "w"),
        record("z", "z from two"));
    assertStoreHolds("expected.jsonl", 4);
  }

  @Test
  void theStdinSpoolIsRemovedAfterSuccessAndFailure() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = spools(tmp);
    ok(record("s", "spooled") + "\n", "index", "-", "--store", "store");
    assertEquals(before, spools(tmp));
    Run fail = run(record("t", "spooled") + "\n{broken\n", "index", "-", "--store", "store");
    assertEquals(1, fail.exitCode(), fail.stderr());
    assertEquals(before, spools(tmp));
    Run missing =
        run(record("u", "spooled") + "\n", "index", "-", "absent.txt", "--store", "store");
    assertEquals(1, missing.exitCode(), missing.stderr());
    assertTrue(missing.stderr().contains("absent.txt"), missing.stderr());
    assertEquals(before, spools(tmp));
  }

  private static List<Path> spools(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(Spool.PREFIX))
          .sorted()
          .toList();
    }
  }
}
