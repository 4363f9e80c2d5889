package dev.embedstore.bench.report;

import dev.embedstore.bench.Beir;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.bench.TempFolders;
import dev.embedstore.bench.embed.EmbeddingThroughput;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.Quantization;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.json.JsonOutput;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The macro benchmark report: one command, one run, a table on stdout and the same figures in a
 * JSON file.
 *
 * <ol>
 *   <li>Cold vs warm: a store is built from a BEIR corpus (SciFact) with the real default model,
 *       then re-created from its own cache three ways: every document deleted and re-ingested, a
 *       {@code rebuild} with int8 quantisation, and a fresh store that imports the exported cache.
 *   <li>The embedding-cache tutorial's exercise on a fresh store: index 1,000 documents, delete 10,
 *       re-index all 1,000.
 *   <li>Embedding throughput against langchain4j's in-process model and the ONNX Runtime ceiling
 *       ({@link EmbeddingThroughput}).
 *   <li>kNN: recall@10 of HNSW against exact search and queries per second at several k' (the HNSW
 *       candidate-list size), float32 and int8.
 *   <li>Cache lookups per second; on-disk bytes per document; peak resident memory.
 *   <li>Whole processes ({@link WholeProcessReport}): the CLI's cold build, re-create from the
 *       cache, delete 10 + re-index, {@code search} and {@code --help} as child processes, against
 *       the Python peers of the two embedding-cache tutorials' designs (not in {@code --tiny}).
 * </ol>
 *
 * <p>Run: {@code ./benchmarks/run report [--quick] [--data DIR] [--json FILE] [--no-peers]
 * [--no-whole-process | --whole-process-only]}. Where a peer exists the figure is a ratio measured
 * in this run; the machine is shared, so single timings are only indicative.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class MacroReport {
  private final Path data;
  private final boolean quick;
  private final boolean tiny;
  private final PrintStream log;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();

  private MacroReport(Path data, boolean quick, boolean tiny, PrintStream log) {
    this.data = data;
    this.quick = quick;
    this.tiny = tiny;
    this.log = log;
  }

  /**
   * Runs the report.
   *
   * @param args {@code [--quick] [--tiny] [--data DIR] [--json FILE] [--no-peers]
   *     [--no-whole-process | --whole-process-only]}
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(System.getProperty("embedstore.shared", "../shared"), "data", "scifact");
    Path out = Path.of("benchmarks", "target", "report.json");
    boolean quick = false;
    boolean tiny = false;
    boolean wholeProcess = true;
    boolean peers = true;
    boolean only = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--tiny" -> tiny = true;
        case "--data" -> data = Path.of(args[++i]);
        case "--json" -> out = Path.of(args[++i]);
        case "--no-peers" -> peers = false;
        case "--no-whole-process" -> wholeProcess = false;
        case "--whole-process-only" -> only = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    run(data, quick, tiny, new WholeProcess(wholeProcess && !tiny, peers, only), out, System.out);
  }

  /**
   * Which part of the whole-process table runs.
   *
   * @param run whether the table runs at all
   * @param peers whether the Python peers run in it
   * @param only whether the table is all that runs
   */
  public record WholeProcess(boolean run, boolean peers, boolean only) {}

  /**
   * Runs the report and writes its JSON file.
   *
   * @param data a BEIR folder (corpus.jsonl, queries.jsonl)
   * @param quick a smaller run (minutes)
   * @param tiny the smallest run, for the harness's smoke test
   * @param jsonFile where the figures go
   * @param log where the table and progress go
   * @return the figures
   * @throws Exception if anything fails
   */
  public static Map<String, Object> run(
      Path data, boolean quick, boolean tiny, Path jsonFile, PrintStream log) throws Exception {
    return run(data, quick, tiny, new WholeProcess(false, false, false), jsonFile, log);
  }

  /**
   * Runs the report, with or without the whole-process table, and writes its JSON file.
   *
   * @param data a BEIR folder (corpus.jsonl, queries.jsonl)
   * @param quick a smaller run (minutes)
   * @param tiny the smallest run, for the harness's smoke test
   * @param wholeProcess which part of the whole-process table runs
   * @param jsonFile where the figures go
   * @param log where the table and progress go
   * @return the figures
   * @throws Exception if anything fails
   */
  public static Map<String, Object> run(
      Path data,
      boolean quick,
      boolean tiny,
      WholeProcess wholeProcess,
      Path jsonFile,
      PrintStream log)
      throws Exception {
    MacroReport r = new MacroReport(data, quick || tiny, tiny, log);
    long t0 = System.nanoTime();
    r.machine();
    Path scratch = Files.createTempDirectory("embedstore-report");
    try {
      if (!wholeProcess.only()) {
        r.coldVsWarmAndKnn(scratch);
        r.tutorial(scratch);
        r.throughput();
      }
      if (wholeProcess.run() || wholeProcess.only()) {
        r.json.put(
            "whole_process",
            WholeProcessReport.run(
                data, 1000, 2, wholeProcess.peers(), ChildProcesses.repoRoot(), log));
      }
    } finally {
      TempFolders.delete(scratch);
    }
    r.json.put("peak_rss_bytes", peakRss());
    r.row("peak resident memory (VmHWM)", mib(peakRss()), "");
    r.json.put("seconds", (System.nanoTime() - t0) / 1e9);
    r.print();
    if (jsonFile.getParent() != null) {
      Files.createDirectories(jsonFile.getParent());
    }
    try (OutputStream os = Files.newOutputStream(jsonFile)) {
      JsonOutput.writePretty(os, r.json);
    }
    log.println("figures written to " + jsonFile);
    return r.json;
  }

  private void machine() throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("cpu", cpuModel());
    m.put("cpu_features", cpuFeatures());
    m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    m.put("mode", tiny ? "tiny" : quick ? "quick" : "full");
    json.put("machine", m);
    log.printf(
        Locale.ROOT,
        "machine: %s (%s), %d cores, %s%n",
        m.get("cpu"),
        m.get("cpu_features"),
        m.get("cores"),
        m.get("jdk"));
  }

  // -----------------------------------------------------------------------------------------------

  private void coldVsWarmAndKnn(Path scratch) throws Exception {
    int limit = tiny ? 60 : quick ? 1000 : Integer.MAX_VALUE;
    List<Document> docs = Beir.corpus(data, limit);
    List<String> queries = Beir.queries(data, tiny ? 20 : quick ? 200 : 1000);
    Map<String, Object> section = new LinkedHashMap<>();
    json.put("cold_vs_warm", section);
    section.put("documents", docs.size());
    Path folder = scratch.resolve("store");
    try (OnnxEmbedder model = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2)) {
      LuceneVectorStore store = LuceneVectorStore.open(folder, model);
      try {
        log.printf(Locale.ROOT, "cold build: %d documents with the real model...%n", docs.size());
        UpsertResult cold = store.upsert(docs, null, null);
        double coldSec = cold.nanos() / 1e9;
        section.put("cold_seconds", coldSec);
        section.put("cold_embedded", cold.embedded());

        List<String> ids = docs.stream().map(Document::id).toList();
        store.delete(ids);
        UpsertResult warm = store.upsert(docs, null, null);
        double warmSec = warm.nanos() / 1e9;
        section.put("reingest_seconds", warmSec);
        section.put("reingest_embedded", warm.embedded());
        section.put("reingest_speedup", coldSec / warmSec);
        row(
            "cold build, " + docs.size() + " docs (real model)",
            seconds(coldSec),
            cold.embedded() + " embedded");
        row(
            "re-create: delete all, re-ingest (cache)",
            seconds(warmSec) + "  " + times(coldSec / warmSec) + " faster",
            warm.embedded() + " embedded (target >= 50x, 0)");

        long bytesFloat = store.info().bytes();
        section.put("bytes_per_document_float32", (double) bytesFloat / docs.size());

        Map<String, Object> knn = new LinkedHashMap<>();
        json.put("knn", knn);
        knn.put("queries", queries.size());
        knn.put("float32", knn(store, queries, "float32"));
        lookups(store, docs);

        long t = System.nanoTime();
        long rebuiltEmbedded = store.rebuild(store.config().withQuantization(Quantization.INT8));
        double rebuildSec = (System.nanoTime() - t) / 1e9;
        section.put("rebuild_int8_seconds", rebuildSec);
        section.put("rebuild_int8_embedded", rebuiltEmbedded);
        section.put("rebuild_int8_speedup", coldSec / rebuildSec);
        row(
            "re-create: rebuild as int8 (cache)",
            seconds(rebuildSec) + "  " + times(coldSec / rebuildSec) + " faster",
            rebuiltEmbedded + " embedded");
        store.commit();
        long bytesInt8 = store.info().bytes();
        section.put("bytes_per_document_int8", (double) bytesInt8 / docs.size());
        row(
            "on-disk bytes per document",
            String.format(Locale.ROOT, "%,.0f float32", (double) bytesFloat / docs.size()),
            String.format(
                Locale.ROOT,
                "%,.0f int8 (both keep the float32 cache)",
                (double) bytesInt8 / docs.size()));
        knn.put("int8", knn(store, queries, "int8"));

        Path npy = scratch.resolve("vectors.npy");
        store.exportVectors(model.fingerprint(), npy);
        store.close();
        store = null;
        t = System.nanoTime();
        try (LuceneVectorStore fresh = LuceneVectorStore.open(scratch.resolve("imported"), model)) {
          fresh.importVectors(npy);
          UpsertResult imported = fresh.upsert(docs, null, null);
          double importSec = (System.nanoTime() - t) / 1e9;
          section.put("import_and_ingest_seconds", importSec);
          section.put("import_and_ingest_embedded", imported.embedded());
          section.put("import_and_ingest_speedup", coldSec / importSec);
          row(
              "re-create: new store from exported .npy",
              seconds(importSec) + "  " + times(coldSec / importSec) + " faster",
              imported.embedded() + " embedded");
        }
      } finally {
        if (store != null) {
          store.close();
        }
      }
    }
  }

  /** Recall@10 of HNSW against exact search, and queries/s, at several k'. */
  private Map<String, Object> knn(VectorStore store, List<String> queries, String label)
      throws IOException {
    int k = 10;
    List<Set<String>> exact = new ArrayList<>();
    for (String q : queries) {
      exact.add(ids(store.search(SearchRequest.of(q, k).withMode(SearchMode.EXACT))));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (int oversample : new int[] {1, 2, 4, 8, 16}) {
      // One untimed pass (query vectors come from the embedder's query cache after it).
      for (String q : queries) {
        store.search(new SearchRequest(q, k, SearchMode.VECTOR, null, oversample));
      }
      long t = System.nanoTime();
      double recall = 0;
      for (int i = 0; i < queries.size(); i++) {
        Set<String> got =
            ids(
                store.search(
                    new SearchRequest(queries.get(i), k, SearchMode.VECTOR, null, oversample)));
        Set<String> want = exact.get(i);
        int hit = 0;
        for (String id : got) {
          if (want.contains(id)) {
            hit++;
          }
        }
        recall += want.isEmpty() ? 1 : (double) hit / want.size();
      }
      double sec = (System.nanoTime() - t) / 1e9;
      recall /= queries.size();
      double qps = queries.size() / sec;
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("k_prime", k * oversample);
      line.put("recall_at_10", recall);
      line.put("queries_per_second", qps);
      out.put("k'=" + k * oversample, line);
      row(
          "kNN " + label + ", k'=" + k * oversample,
          String.format(Locale.ROOT, "recall@10 %.4f", recall),
          String.format(Locale.ROOT, "%,.0f queries/s", qps));
    }
    // Hybrid and keyword at the default, for scale.
    for (SearchMode mode :
        new SearchMode[] {SearchMode.KEYWORD, SearchMode.HYBRID, SearchMode.EXACT}) {
      long t = System.nanoTime();
      for (String q : queries) {
        store.search(SearchRequest.of(q, k).withMode(mode));
      }
      double qps = queries.size() / ((System.nanoTime() - t) / 1e9);
      out.put(mode.name().toLowerCase(Locale.ROOT) + "_queries_per_second", qps);
      row(
          mode.name().toLowerCase(Locale.ROOT) + " search, " + label,
          String.format(Locale.ROOT, "%,.0f queries/s", qps),
          "");
    }
    return out;
  }

  private static Set<String> ids(List<SearchHit> hits) {
    Set<String> out = new HashSet<>();
    for (SearchHit h : hits) {
      out.add(h.id());
    }
    return out;
  }

  /** Batched cache lookups of the corpus's keys, in random order, half of them misses. */
  private void lookups(VectorStore store, List<Document> docs) throws IOException {
    List<CacheKey> keys = new ArrayList<>();
    var fp = ModelFingerprint.ofHex(store.info().fingerprint());
    for (Document d : docs) {
      keys.add(CacheKey.of(fp, "", Role.DOCUMENT, d.embeddedText()));
      keys.add(CacheKey.of(fp, "", Role.DOCUMENT, "missing " + d.id()));
    }
    Collections.shuffle(keys, new Random(42));
    int batch = 1000;
    long looked = 0;
    long found = 0;
    long t = System.nanoTime();
    long until = t + (tiny ? 200_000_000L : 3_000_000_000L);
    do {
      for (int from = 0; from < keys.size(); from += batch) {
        float[][] v = store.cache().getAll(keys.subList(from, Math.min(keys.size(), from + batch)));
        looked += v.length;
        for (float[] x : v) {
          if (x != null) {
            found++;
          }
        }
      }
    } while (System.nanoTime() < until);
    double perSecond = looked / ((System.nanoTime() - t) / 1e9);
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("entries", store.cache().stats().entries());
    section.put("batch", batch);
    section.put("keys_looked_up", looked);
    section.put("hit_rate", (double) found / looked);
    section.put("keys_per_second", perSecond);
    json.put("cache_lookups", section);
    row(
        "cache lookups, batches of " + batch + " (half misses)",
        String.format(Locale.ROOT, "%,.0f keys/s", perSecond),
        "target >= 50,000");
  }

  // -----------------------------------------------------------------------------------------------

  /** Index 1,000 documents, delete 10, re-index all: cold vs warm. */
  private void tutorial(Path scratch) throws Exception {
    int n = tiny ? 30 : quick ? 300 : 1000;
    List<Document> docs = Beir.corpus(data, Integer.MAX_VALUE);
    // The last documents of the corpus: a fresh store, so the first pass is cold.
    docs = docs.subList(Math.max(0, docs.size() - n), docs.size());
    Map<String, Object> section = new LinkedHashMap<>();
    json.put("tutorial_exercise", section);
    try (OnnxEmbedder model = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2);
        VectorStore store = LuceneVectorStore.open(scratch.resolve("tutorial"), model)) {
      UpsertResult cold = store.upsert(docs, null, null);
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 10 && i < docs.size(); i++) {
        gone.add(docs.get(i * Math.max(1, docs.size() / 10)).id());
      }
      store.delete(gone);
      UpsertResult warm = store.upsert(docs, null, null);
      section.put("documents", docs.size());
      section.put("cold_seconds", cold.nanos() / 1e9);
      section.put("cold_embedded", cold.embedded());
      section.put("warm_seconds", warm.nanos() / 1e9);
      section.put("warm_embedded", warm.embedded());
      section.put("speedup", (double) cold.nanos() / warm.nanos());
      row(
          "tutorial: " + docs.size() + " docs, delete 10, re-index",
          seconds(cold.nanos() / 1e9) + " cold, " + seconds(warm.nanos() / 1e9) + " warm",
          times((double) cold.nanos() / warm.nanos()) + ", " + warm.embedded() + " embedded");
    }
  }

  private void throughput() throws Exception {
    int chunks = tiny ? 16 : quick ? 200 : 400;
    int rounds = tiny || quick ? 1 : 3;
    EmbeddingThroughput.Result t =
        EmbeddingThroughput.measure(data.resolve("corpus.jsonl"), chunks, rounds, log);
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("texts", t.texts());
    section.put("tokens", t.tokens());
    for (int i = 0; i < t.names().size(); i++) {
      section.put(t.names().get(i).replace(' ', '_') + "_texts_per_second", t.textsPerSecond()[i]);
    }
    section.put("vs_langchain4j_fp32", t.vsLangchain4jFp32());
    section.put("vs_langchain4j_int8", t.vsLangchain4jInt8());
    section.put("of_ceiling_fp32", t.ofCeilingFp32());
    section.put("of_ceiling_int8", t.ofCeilingInt8());
    section.put("gflops_fp32", t.gflopsFp32());
    section.put("gflops_ceiling_fp32", t.gflopsCeilingFp32());
    section.put("peak_gflops_fp32_fma", t.peakGflops());
    json.put("embedding_throughput", section);
    row(
        "embedding fp32 vs langchain4j",
        times(t.vsLangchain4jFp32()),
        String.format(
            Locale.ROOT,
            "%.0f vs %.0f texts/s (target >= 1.5x)",
            t.textsPerSecond()[0],
            t.textsPerSecond()[1]));
    row(
        "embedding int8 vs langchain4j",
        times(t.vsLangchain4jInt8()),
        String.format(
            Locale.ROOT,
            "%.0f vs %.0f texts/s (target >= 2.5x)",
            t.textsPerSecond()[3],
            t.textsPerSecond()[4]));
    row(
        "embedding vs ONNX Runtime ceiling",
        String.format(
            Locale.ROOT,
            "%.0f%% fp32, %.0f%% int8",
            100 * t.ofCeilingFp32(),
            100 * t.ofCeilingInt8()),
        "target >= 90%");
    row(
        "fp32 embedding, GFLOP/s of real tokens",
        String.format(Locale.ROOT, "%.1f (ceiling %.1f)", t.gflopsFp32(), t.gflopsCeilingFp32()),
        String.format(
            Locale.ROOT,
            "%.0f%% of the CPU's float32 FMA peak measured in the same run, %.1f GFLOP/s",
            100 * t.gflopsFp32() / t.peakGflops(),
            t.peakGflops()));
  }

  // -----------------------------------------------------------------------------------------------

  private void row(String what, String figure, String note) {
    table.add(new String[] {what, figure, note});
    log.printf(Locale.ROOT, "  %s: %s %s%n", what, figure, note);
  }

  private void print() {
    log.println();
    log.println("| what | figure | note |");
    log.println("|---|---|---|");
    for (String[] r : table) {
      log.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
    }
    log.println();
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String times(double x) {
    return String.format(Locale.ROOT, "%.1fx", x);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
  }

  /** The process's peak resident set size from /proc (Linux), or -1 elsewhere. */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux: unknown.
    }
    return -1;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Not Linux.
    }
    return System.getProperty("os.arch");
  }

  /** The SIMD features that decide int8 inference speed (int8 pays with VNNI), from /proc. */
  private static String cpuFeatures() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("flags")) {
          List<String> found = new ArrayList<>();
          Set<String> flags = Set.of(line.substring(line.indexOf(':') + 1).trim().split(" "));
          for (String f :
              List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")) {
            if (flags.contains(f)) {
              found.add(f);
            }
          }
          return String.join(" ", found);
        }
      }
    } catch (IOException e) {
      // Not Linux.
    }
    return "unknown";
  }
}
