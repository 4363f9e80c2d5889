package dev.embedstore.it;

import static dev.embedstore.it.CliIT.field;
import static dev.embedstore.it.CliIT.ok;
import static dev.embedstore.it.LauncherIT.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreCheck;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.spi.Upserter;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills ingesting processes with SIGKILL at random moments (seeded) and proves that nothing
 * committed is lost: the store passes {@code check}, every visible document has its cache entry,
 * and re-running the same ingestion embeds exactly the texts that had not been committed, never the
 * whole corpus again.
 *
 * <p>By default: 20 trials of a library process (fake model) and 2 of {@code ./embedstore index}
 * with the real model. {@code -Dembedstore.slow=true} runs 200 and 20.
 */
@ExtendWith(Seeded.class)
class CrashIT {
  private static final boolean SLOW = Boolean.getBoolean("embedstore.slow");
  private static final int DOCS = 3000;

  @TempDir Path tmp;

  private static Process startIngest(Path store, int interval, long micros, String... more)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashIngest.class.getName());
    cmd.add(store.toString());
    cmd.add(Integer.toString(DOCS));
    cmd.add(Integer.toString(interval));
    cmd.add(Long.toString(micros));
    cmd.addAll(List.of(more));
    // Stdout carries "ready"; stderr (JVM warnings, a failure) goes to a file beside the store.
    return new ProcessBuilder(cmd)
        .redirectError(store.resolveSibling(store.getFileName() + ".stderr").toFile())
        .start();
  }

  /**
   * Each trial kills the child at a seeded point of its progress: after a chosen batch has been
   * written (and committed, when a commit was due), the parent lets the child go on and kills it at
   * once, inside the work of the next batch. The point is at least two batches after a commit and
   * two before the end, so every kill lands mid-ingestion by construction, whatever the machine's
   * speed.
   */
  @Test
  void killedLibraryIngestionsLoseOnlyTheirUncommittedWork(Random random) throws Exception {
    int trials = SLOW ? 200 : 20;
    int batches = (DOCS + Upserter.BATCH - 1) / Upserter.BATCH;
    for (int trial = 0; trial < trials; trial++) {
      Path store = tmp.resolve("lib-" + trial);
      int interval = 50 + random.nextInt(400);
      int killAfter = 2 + random.nextInt(batches - 4); // batches written before the kill
      Process p = startIngest(store, interval, 300, "stepped");
      try (BufferedReader out =
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          var in = new java.io.PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
        assertEquals("ready", out.readLine(), "the child did not start");
        for (int b = 1; b <= killAfter; b++) {
          assertEquals("batch " + b, out.readLine(), "trial " + trial);
          in.println("go");
        }
        p.destroyForcibly(); // SIGKILL on Linux, while the child works on the next batch
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      }
      assertTrue(
          verifyAfterKill(store, trial),
          "trial " + trial + " killed after batch " + killAfter + " of " + batches);
    }
    System.err.printf(
        Locale.ROOT, "[CrashIT] %d SIGKILL trials mid-ingestion, 0 failures%n", trials);
  }

  /** Returns whether the kill landed mid-ingestion (some, not all, documents committed). */
  private static boolean verifyAfterKill(Path store, int trial) throws IOException {
    String label = "trial " + trial + ", store " + store;
    StoreCheck.Report report = StoreCheck.check(store, false);
    assertTrue(report.sound(), label + ": " + report.problems());
    FakeEmbedder model = CrashIngest.model();
    try (LuceneVectorStore s = LuceneVectorStore.open(store, model)) {
      long visible = s.count();
      long cached = s.cache().stats().entries();
      // Entries are committed with or before the documents that use them.
      assertTrue(cached >= visible, label + ": " + visible + " documents, " + cached + " entries");
      UpsertResult again = s.upsert(CrashIngest.corpus(DOCS), null, null);
      assertEquals(DOCS - cached, again.embedded(), label + ": re-run embeds only the uncommitted");
      assertEquals(DOCS - cached, model.textsEmbedded(), label);
      assertEquals(visible, again.unchanged(), label + ": committed documents are left alone");
      assertEquals(DOCS, s.count(), label);
      return visible > 0 && visible < DOCS;
    }
  }

  @Test
  void killedCliIndexingResumesWithoutReembedding(Random random) throws Exception {
    int trials = SLOW ? 20 : 2;
    Path input = tmp.resolve("corpus.jsonl");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1500; i++) {
      b.append(
          String.format(
              Locale.ROOT,
              "{\"id\": \"n%d\", \"text\": \"note %d on topic %d: short text to embed\"}%n",
              i,
              i,
              i % 41));
    }
    Files.writeString(input, b.toString());
    int killedMidway = 0;
    for (int trial = 0; trial < trials; trial++) {
      Path store = tmp.resolve("cli-" + trial);
      List<String> cmd =
          List.of(
              ROOT.resolve("embedstore").toString(),
              "index",
              input.toString(),
              "--store",
              store.toString(),
              "--commit-interval",
              "100");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
      pb.environment().remove("JAVA_HOME");
      LauncherIT.daemonEnvironment(pb.environment());
      pb.redirectErrorStream(true).redirectOutput(tmp.resolve("cli-" + trial + ".log").toFile());
      Process p = pb.start();
      // Kill at a seeded commit: the store's commit generation (segments_N) is its progress. The
      // first commit creates the empty store; then one per batch of 256 records (each embeds more
      // than the interval of 100): about 7 in all.
      int killAt = 2 + random.nextInt(4);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (commitGeneration(store) < killAt && System.nanoTime() < deadline && p.isAlive()) {
        Thread.sleep(20);
      }
      // The launcher execs java, so this is the JVM itself: the client of the background process
      // that runs the ingestion, which ends with it (DaemonIT), as the ingestion's own JVM would.
      if (p.isAlive()) {
        killedMidway++;
      }
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));

      Run check = ok("check", "--store", store.toString(), "--json");
      assertTrue(check.stdout().contains("\"sound\":true"), check.stdout());
      long cached =
          field(
              ok("cache", "stats", "--store", store.toString(), "--json").stdout(),
              "cache_entries");
      long visible =
          field(ok("stats", "--store", store.toString(), "--json").stdout(), "documents");
      assertTrue(cached >= visible && cached > 0, cached + " entries, " + visible + " documents");
      Run again = ok("index", input.toString(), "--store", store.toString(), "--json");
      assertEquals(1500 - cached, field(again.stdout(), "embedded"), again.stdout());
      assertEquals(visible, field(again.stdout(), "unchanged"), again.stdout());
    }
    System.out.printf(
        Locale.ROOT,
        "[CrashIT] %d SIGKILL trials of ./embedstore index, %d mid-ingestion, 0 failures%n",
        trials,
        killedMidway);
  }

  @Test
  void aSecondWriterInAnotherProcessGetsALockErrorNamingTheStore() throws Exception {
    Path store = tmp.resolve("locked");
    // A slow ingestion (about 30 s) holds the store's write lock.
    Process p = startIngest(store, 1000, 10_000);
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("ready", out.readLine());
      org.apache.lucene.store.LockObtainFailedException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              org.apache.lucene.store.LockObtainFailedException.class,
              () -> LuceneVectorStore.open(store, CrashIngest.model()).close());
      assertTrue(
          e.getMessage().contains(store.toString()) && e.getMessage().contains("write.lock"),
          e.getMessage());
      // Reading is not writing: stats and check work while the writer holds the lock.
      ok("stats", "--store", store.toString());
      assertTrue(p.isAlive(), "the writer held the lock throughout");
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** A second writer through the CLI is refused with an error naming the store and the lock. */
  @Test
  void theCliRefusesAStoreAnotherProcessHolds() throws Exception {
    Path store = tmp.resolve("held");
    List<String> cmd =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            HoldStore.class.getName(),
            store.toString());
    Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("held.stderr").toFile()).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String first = out.readLine();
      if (!"ready".equals(first)) {
        p.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(
            "the holder did not start (it printed "
                + first
                + "); its stderr:\n"
                + Files.readString(tmp.resolve("held.stderr"), StandardCharsets.UTF_8));
      }
      Path input = tmp.resolve("one.jsonl");
      Files.writeString(input, "{\"id\": \"x\", \"text\": \"x\"}\n");
      for (List<String> args :
          List.of(
              List.of("delete", "held", "--store", store.toString()),
              List.of("index", input.toString(), "--store", store.toString()))) {
        List<String> full = new ArrayList<>(args);
        Run second = LauncherIT.embedstore(full.toArray(String[]::new));
        assertEquals(1, second.exitCode(), second.stderr());
        assertTrue(
            second.stderr().contains("error: store " + store)
                && second.stderr().contains("write.lock"),
            second.stderr());
      }
      // Searching is not writing: it opens the store read-only, beside the holder.
      Run search = ok("search", "a document another process holds", "--store", store.toString());
      assertTrue(search.stdout().contains("held"), search.stdout());
      assertTrue(p.isAlive(), "the holder kept the lock throughout");
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The generation of a store's last commit: N of its segments_N file, 0 when it has none. */
  private static long commitGeneration(Path store) throws IOException {
    if (!Files.isDirectory(store)) {
      return 0;
    }
    try (var files = Files.list(store)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("segments_"))
          .mapToLong(n -> Long.parseLong(n.substring("segments_".length()), Character.MAX_RADIX))
          .max()
          .orElse(0);
    }
  }
}
