package dev.embedstore.it;

import static dev.embedstore.it.LauncherIT.embedstore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import dev.embedstore.onnx.BundledModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real CLI, through the launcher, on real files with the real default model. */
class CliIT {
  @TempDir Path tmp;

  static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?[0-9]+)").matcher(json);
    assertTrue(m.find(), name + " missing in " + json);
    return Long.parseLong(m.group(1));
  }

  /** The ids of a {@code search --json} answer's hits, in order. */
  static List<String> hitIds(String json) {
    List<String> ids = new ArrayList<>();
    Matcher m = Pattern.compile("\\{\"id\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  static Run ok(String... args) throws Exception {
    Run run = embedstore(args);
    assertEquals(0, run.exitCode(), String.join(" ", args) + "\n" + run.stderr());
    return run;
  }

  @Test
  void indexSearchEditReindexDeleteAndSync() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("notes"));
    Path store = tmp.resolve("store");
    StringBuilder long1 = new StringBuilder();
    for (int p = 0; p < 40; p++) {
      long1
          .append("Paragraph ")
          .append(p)
          .append(" of the gardening notes: tomatoes need sun, water and")
          .append(" well-drained soil; prune the side shoots every week in summer.\n\n");
    }
    Files.writeString(docs.resolve("garden.md"), long1.toString());
    Files.writeString(
        docs.resolve("espresso.txt"),
        "Espresso is brewed by forcing hot water through finely ground coffee.");
    Files.writeString(
        docs.resolve("rust.txt"),
        "The borrow checker in Rust enforces ownership rules at compile time.");
    Files.write(docs.resolve("image.bin"), new byte[] {0, 1, 2, 3, 0, 0, (byte) 0xff});

    Run first = ok("index", docs.toString(), "--store", store.toString(), "--json");
    assertEquals(3, field(first.stdout(), "added"));
    assertEquals(1, field(first.stdout(), "binary_skipped"));
    long chunks = field(first.stdout(), "chunks");
    assertTrue(chunks > 3, first.stdout());
    assertEquals(chunks, field(first.stdout(), "embedded"));

    Run search =
        ok("search", "how do I make coffee", "--store", store.toString(), "-k", "2", "--json");
    assertTrue(
        search.stdout().startsWith("{\"hits\":[{\"id\":\"" + docs.resolve("espresso.txt")),
        search.stdout());

    // Enough graph candidates for every chunk of this small store: the exact search's hits.
    Run wide =
        ok(
            "search",
            "tomatoes in summer",
            "--store",
            store.toString(),
            "-k",
            "3",
            "--json",
            "--oversample",
            "1000");
    Run exact =
        ok(
            "search",
            "tomatoes in summer",
            "--store",
            store.toString(),
            "-k",
            "3",
            "--json",
            "--mode",
            "exact");
    assertEquals(hitIds(exact.stdout()), hitIds(wide.stdout()));
    assertEquals(3, hitIds(wide.stdout()).size(), wide.stdout());

    Run again = ok("index", docs.toString(), "--store", store.toString(), "--json");
    assertEquals(0, field(again.stdout(), "embedded"));
    assertEquals(3, field(again.stdout(), "unchanged"));

    Files.writeString(
        docs.resolve("garden.md"),
        long1.toString().replace("Paragraph 20 of", "Paragraph twenty of"));
    Run edited = ok("index", docs.toString(), "--store", store.toString(), "--json");
    assertEquals(1, field(edited.stdout(), "updated"));
    long reembedded = field(edited.stdout(), "embedded");
    assertTrue(reembedded >= 1 && reembedded <= 2, "only the edited chunks: " + edited.stdout());

    Files.delete(docs.resolve("rust.txt"));
    Run synced = ok("index", docs.toString(), "--store", store.toString(), "--sync", "--json");
    assertEquals(1, field(synced.stdout(), "deleted"));

    Run stats = ok("stats", "--store", store.toString(), "--json");
    assertEquals(2, field(stats.stdout(), "documents"));
    assertTrue(
        stats.stdout().contains("\"model\":\"" + BundledModel.DEFAULT.modelName() + "\""),
        stats.stdout());

    Run deleted =
        ok(
            "delete",
            docs.resolve("espresso.txt").toString(),
            "--store",
            store.toString(),
            "--json");
    assertEquals(1, field(deleted.stdout(), "deleted"));
    assertEquals(
        1, field(ok("stats", "--store", store.toString(), "--json").stdout(), "documents"));
  }

  @Test
  void badJsonlFailsWholeByDefaultAndSkipsOnRequest() throws Exception {
    Path input = tmp.resolve("records.jsonl");
    Files.writeString(
        input,
        "{\"id\": \"a\", \"text\": \"first record\", \"metadata\": {\"year\": 2020}}\n"
            + "{\"id\": \"b\", \"text\": 42}\n"
            + "not json at all\n"
            + "{\"_id\": \"c\", \"title\": \"T\", \"text\": \"third\"}\n"
            + "{\"id\": \"a\", \"text\": \"first record, again\", \"metadata\": {\"year\": 2021}}\n",
        StandardCharsets.UTF_8);
    Path store = tmp.resolve("store");
    Run fail = embedstore("index", input.toString(), "--store", store.toString(), "--json");
    assertEquals(1, fail.exitCode(), fail.stderr());
    assertTrue(
        fail.stderr().contains("error: ") && fail.stderr().contains(input + ":2"), fail.stderr());
    assertFalse(fail.stderr().contains("\tat "), "no stack trace without --verbose");

    Run skip =
        ok("index", input.toString(), "--store", store.toString(), "--on-error", "skip", "--json");
    assertEquals(2, field(skip.stdout(), "errors"));
    assertEquals(2, field(skip.stdout(), "added"));
    assertEquals(1, field(skip.stdout(), "duplicates"));

    Run filtered =
        ok("search", "record", "--store", store.toString(), "--filter", "year=2021", "--json");
    assertTrue(
        filtered.stdout().contains("\"id\":\"a\"") && !filtered.stdout().contains("\"id\":\"c\""),
        filtered.stdout());
  }

  @Test
  void recordsTheStoreWouldRefuseAreInputErrorsBeforeAnythingIsWritten() throws Exception {
    Path store = tmp.resolve("store");
    Path first = tmp.resolve("first.jsonl");
    Files.writeString(first, "{\"id\": \"a\", \"text\": \"x\", \"metadata\": {\"year\": 2020}}\n");
    ok("index", first.toString(), "--store", store.toString(), "--json");

    Path input = tmp.resolve("second.jsonl");
    Files.writeString(
        input,
        "{\"id\": \"b\", \"text\": \"fine\"}\n"
            + "{\"id\": \"c\", \"text\": \"t\", \"metadata\": {\"year\": \"2021\"}}\n"
            + "{\"id\": \""
            + "i".repeat(40_000)
            + "\", \"text\": \"t\"}\n"
            + "{\"id\": \"d\", \"text\": \"t\", \"metadata\": {\"note\": \""
            + "n".repeat(40_000)
            + "\"}}\n"
            + "{\"id\": \"e\", \"text\": \"t\", \"metadata\": {\"color\": \"red\"}}\n"
            + "{\"id\": \"f\", \"text\": \"t\", \"metadata\": {\"color\": 7}}\n",
        StandardCharsets.UTF_8);
    Run fail = embedstore("index", input.toString(), "--store", store.toString(), "--json");
    assertEquals(1, fail.exitCode(), fail.stderr());
    assertTrue(
        fail.stderr()
                .contains("error: " + input + ":2: document c: metadata field year is a string")
            && fail.stderr().contains("and 3 more problems")
            && fail.stderr().contains("nothing was indexed"),
        fail.stderr());
    assertTrue(fail.stderr().length() < 2_000, "long ids are abbreviated: " + fail.stderr());
    assertEquals(
        1, field(ok("stats", "--store", store.toString(), "--json").stdout(), "documents"));

    Run skip =
        ok("index", input.toString(), "--store", store.toString(), "--on-error", "skip", "--json");
    assertEquals(4, field(skip.stdout(), "errors"), skip.stdout());
    assertEquals(2, field(skip.stdout(), "added"), skip.stdout());
    for (String line : List.of(":3: document iiii", ":4: document d: metadata field note", ":6:")) {
      assertTrue(skip.stderr().contains(line), line + " in " + skip.stderr());
    }
    Run stats = ok("stats", "--store", store.toString(), "--json");
    assertEquals(3, field(stats.stdout(), "documents"));
    assertTrue(
        stats.stdout().contains("\"metadata_fields\":{\"color\":\"string\",\"year\":\"long\"}"),
        stats.stdout());
  }

  /**
   * {@code index} streams its input: an unchanged re-index of 200,000 records (25 MB of JSON lines,
   * from a file and from stdin) runs in a 64 MB heap, where reading everything first needed about
   * 256 MB (at 64 MB and at 128 MB it ended in an {@code OutOfMemoryError}). The records share ten
   * texts, so that building the store first embeds only ten.
   */
  @Test
  void reindexingRunsInABoundedHeap() throws Exception {
    Path input = tmp.resolve("records.jsonl");
    try (java.io.BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      for (int i = 0; i < 200_000; i++) {
        w.write(
            "{\"id\":\"doc-"
                + i
                + "\",\"text\":\"shared text number "
                + i % 10
                + " about gardening, coffee and the weather\",\"metadata\":{\"n\":"
                + i
                + ",\"tag\":\"t"
                + i % 7
                + "\"}}\n");
      }
    }
    Path store = tmp.resolve("store");
    Run first = ok("index", input.toString(), "--store", store.toString(), "--json");
    assertEquals(200_000, field(first.stdout(), "added"), first.stdout());
    assertEquals(10, field(first.stdout(), "embedded"), first.stdout());

    Map<String, String> smallHeap =
        Map.of("EMBEDSTORE_DAEMON", "false", "EMBEDSTORE_JAVA_OPTS", "-Xmx64m");
    for (Path stdin : new Path[] {null, input}) {
      Run again =
          LauncherIT.embedstore(
              smallHeap,
              stdin,
              "index",
              stdin == null ? input.toString() : "-",
              "--store",
              store.toString(),
              "--json");
      assertEquals(0, again.exitCode(), again.stderr());
      assertEquals(200_000, field(again.stdout(), "unchanged"), again.stdout());
      assertEquals(0, field(again.stdout(), "embedded"), again.stdout());
    }
  }

  /**
   * Running out of memory is one line that names the heap and how to give it more, exit 1, not a
   * stack trace; the store is left as it was. Here a record bigger than the whole heap, in a JVM of
   * its own and in the background process.
   */
  @Test
  void runningOutOfMemoryIsOneLineThatSaysHowToGiveMore() throws Exception {
    Path input = tmp.resolve("huge.jsonl");
    try (java.io.BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      w.write("{\"id\":\"small\",\"text\":\"a small record\"}\n");
      w.write("{\"id\":\"huge\",\"text\":\"");
      String words = "many words about nothing in particular ".repeat(1000);
      for (int i = 0; i < 1500; i++) { // ~60 MB of text in one record
        w.write(words);
      }
      w.write("\"}\n");
    }
    Path store = tmp.resolve("store");
    for (String daemon : new String[] {"false", "true"}) {
      Run r =
          LauncherIT.embedstore(
              Map.of("EMBEDSTORE_DAEMON", daemon, "EMBEDSTORE_JAVA_OPTS", "-Xmx48m"),
              null,
              "index",
              input.toString(),
              "--store",
              store.toString());
      assertEquals(1, r.exitCode(), "daemon " + daemon + ": " + r.stderr());
      assertTrue(
          r.stderr().contains("error: out of memory (")
              && r.stderr().contains("EMBEDSTORE_JAVA_OPTS=-Xmx"),
          "daemon " + daemon + ": " + r.stderr());
      assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
      assertFalse(Files.exists(store.resolve("segments_1")), "nothing was written");
    }
  }

  /** A bad record on stdin, after records that repeat an id, refuses the whole input. */
  @Test
  void aBadRecordOnStdinLeavesTheStoreUntouched() throws Exception {
    Path store = tmp.resolve("store");
    Path base = tmp.resolve("base.jsonl");
    Files.writeString(base, "{\"id\": \"a\", \"text\": \"first\"}\n");
    ok("index", base.toString(), "--store", store.toString());
    Path stdin = tmp.resolve("stdin.jsonl");
    Files.writeString(
        stdin,
        "{\"id\": \"a\", \"text\": \"second\"}\n"
            + "{\"id\": \"b\", \"text\": \"new\"}\n"
            + "{\"id\": \"a\", \"text\": \"third\"}\n"
            + "{\"id\": \"c\", \"text\": [\"not\", \"a string\"]}\n");
    for (Map<String, String> env :
        List.of(Map.<String, String>of(), Map.of("EMBEDSTORE_DAEMON", "false"))) {
      Run fail =
          LauncherIT.embedstore(env, stdin, "index", "-", "--store", store.toString(), "--json");
      assertEquals(1, fail.exitCode(), fail.stderr());
      assertTrue(
          fail.stderr().contains("warning: -:3: id a repeats -:1; the last wins")
              && fail.stderr().contains("error: -:4: \"text\" must be a string; found an array")
              && fail.stderr().contains("nothing was indexed"),
          fail.stderr());
      Run again = ok("index", base.toString(), "--store", store.toString(), "--json");
      assertEquals(1, field(again.stdout(), "unchanged"), again.stdout());
      assertEquals(
          1, field(ok("stats", "--store", store.toString(), "--json").stdout(), "documents"));
    }
  }

  @Test
  void errorsNameTheProblem() throws Exception {
    Run unknownModel =
        embedstore(
            "index", tmp.toString(), "--store", tmp.resolve("s").toString(), "--model", "gpt-9");
    assertEquals(1, unknownModel.exitCode());
    assertTrue(unknownModel.stderr().contains("all-minilm-l6-v2"), unknownModel.stderr());

    Run badOversample =
        embedstore("search", "x", "--store", tmp.resolve("s").toString(), "--oversample", "0");
    assertEquals(2, badOversample.exitCode(), badOversample.stderr());
    assertTrue(
        badOversample.stderr().contains("--oversample must be at least 1; got 0"),
        badOversample.stderr());

    Run noStore = embedstore("search", "x", "--store", tmp.resolve("nothing").toString());
    assertEquals(1, noStore.exitCode());
    assertTrue(noStore.stderr().contains("no store at"), noStore.stderr());

    Run missing =
        embedstore(
            "index", tmp.resolve("absent.txt").toString(), "--store", tmp.resolve("s").toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.stderr().contains("absent.txt"), missing.stderr());
  }

  @Test
  void evalScoresABeirFolderAndASecondRunIsWarm() throws Exception {
    Path beir = Files.createDirectories(tmp.resolve("beir/qrels"));
    Files.writeString(
        tmp.resolve("beir/corpus.jsonl"),
        "{\"_id\": \"c1\", \"title\": \"Coffee\", \"text\": \"Espresso is brewed under pressure.\"}\n"
            + "{\"_id\": \"c2\", \"title\": \"Tides\", \"text\": \"The moon's gravity raises the tides.\"}\n"
            + "{\"_id\": \"c3\", \"title\": \"Rust\", \"text\": \"Ownership rules are checked at compile"
            + " time.\"}\n");
    Files.writeString(
        tmp.resolve("beir/queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"how is espresso made\"}\n"
            + "{\"_id\": \"q2\", \"text\": \"what causes tides\"}\n"
            + "{\"_id\": \"q3\", \"text\": \"unjudged query\"}\n");
    Files.writeString(
        beir.resolve("test.tsv"), "query-id\tcorpus-id\tscore\nq1\tc1\t1\nq2\tc2\t1\n");
    Path store = tmp.resolve("store");
    String dir = tmp.resolve("beir").toString();
    Run cold = ok("eval", "--beir", dir, "--store", store.toString(), "--json");
    assertEquals(2, field(cold.stdout(), "queries"));
    assertEquals(3, field(cold.stdout(), "documents_embedded"));
    assertEquals(2, field(cold.stdout(), "queries_embedded"));
    assertTrue(cold.stdout().contains("\"ndcg@10\":1.0"), cold.stdout());
    Run warm = ok("eval", "--beir", dir, "--store", store.toString(), "--json");
    assertEquals(0, field(warm.stdout(), "documents_embedded"));
    assertEquals(0, field(warm.stdout(), "queries_embedded"));
  }

  @Test
  void demoRebuildsFromTheCacheWithoutTheModel() throws Exception {
    Run demo = ok("demo");
    assertTrue(demo.stdout().contains("0 texts embedded"), demo.stdout());
    assertTrue(
        demo.stdout().contains("CacheKey") || demo.stdout().contains("architecture"),
        demo.stdout());
  }

  /** A store keeps the model it was built with, whatever the default for new stores is. */
  @Test
  void aStoreKeepsItsModelWhateverTheDefault() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(docs.resolve("a.txt"), "Kites fly best in a steady wind.");
    Path fp32 = tmp.resolve("fp32");
    ok("index", docs.toString(), "--store", fp32.toString(), "--model", "all-minilm-l6-v2");
    Files.writeString(docs.resolve("b.txt"), "Gliders ride thermals over warm fields.");
    Run again = ok("index", docs.toString(), "--store", fp32.toString(), "--json");
    assertEquals(1, field(again.stdout(), "added"));
    Run search = ok("search", "windy day", "--store", fp32.toString(), "--json");
    assertTrue(search.stdout().contains("a.txt"), search.stdout());
    assertTrue(
        ok("stats", "--store", fp32.toString(), "--json")
            .stdout()
            .contains("\"model\":\"all-minilm-l6-v2\""));
    Path fresh = tmp.resolve("fresh");
    ok("index", docs.toString(), "--store", fresh.toString());
    assertTrue(
        ok("stats", "--store", fresh.toString(), "--json")
            .stdout()
            .contains("\"model\":\"all-minilm-l6-v2-q\""),
        "a new store gets the default model");
  }

  /**
   * Results go to stdout, as grep and sqlite3 do: `search | head` shows hits; stderr carries only
   * progress, warnings and errors.
   */
  @Test
  void humanReadableResultsGoToStdout() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("notes"));
    Path store = tmp.resolve("store");
    Files.writeString(docs.resolve("bread.txt"), "Sourdough bread rises slowly overnight.");
    Files.writeString(docs.resolve("chess.txt"), "The Sicilian defence answers 1.e4 with c5.");
    Run index = ok("index", docs.toString(), "--store", store.toString());
    assertTrue(index.stdout().contains("indexed 2 documents"), index.stdout());
    assertFalse(index.stderr().contains("indexed"), index.stderr());
    Run search = ok("search", "baking bread", "--store", store.toString(), "-k", "1");
    assertTrue(search.stdout().contains("bread.txt"), search.stdout());
    assertFalse(search.stderr().contains("bread.txt"), search.stderr());
    for (String[] cmd :
        new String[][] {
          {"stats", "--store", store.toString()},
          {"cache", "stats", "--store", store.toString()},
          {"check", "--store", store.toString()},
          {"delete", "nothing-here", "--store", store.toString()}
        }) {
      Run r = ok(cmd);
      assertFalse(r.stdout().isBlank(), String.join(" ", cmd) + " printed nothing on stdout");
      assertFalse(r.stderr().contains(store.toString()), r.stderr());
    }
    // Through a pipe, as a shell user would.
    ProcessBuilder pb =
        new ProcessBuilder(
                "sh",
                "-c",
                "\"$0\" search 'sicilian chess opening' --store \"$1\" | head -n 1",
                LauncherIT.ROOT.resolve("embedstore").toString(),
                store.toString())
            .directory(LauncherIT.ROOT.toFile());
    pb.environment().remove("JAVA_HOME");
    LauncherIT.daemonEnvironment(pb.environment());
    Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String firstLine = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    assertTrue(firstLine.contains("chess.txt"), "search | head -n 1 gave: " + firstLine);
  }
}
