package dev.embedstore.bench.report;

import dev.embedstore.bench.Beir;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.bench.TempFolders;
import dev.embedstore.cache.CacheEntry;
import dev.embedstore.embed.Role;
import dev.embedstore.eval.Qrels;
import dev.embedstore.eval.RetrievalMetrics;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.json.JsonOutput;
import dev.embedstore.solr.SolrStoreConfig;
import dev.embedstore.solr.SolrVectorStore;
import dev.embedstore.solr.testing.SolrTestCluster;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The scale-out evidence: SciFact moved from a local (Lucene) store into a SolrCloud collection
 * with no model calls, and the two stores measured side by side in one run.
 *
 * <pre>
 *   ./benchmarks/run dev.embedstore.bench.report.ScaleOutReport [--model all-minilm-l6-v2]
 *       [--solr URL,URL] [--shards 2] [--replicas 2] [--rounds 3] [--local DIR]
 *       [--data BEIR-FOLDER] [--json FILE]
 * </pre>
 *
 * <ol>
 *   <li>The local store (all-minilm-l6-v2 unless {@code --model}) is built in {@code --local}
 *       (benchmarks/target by default; cold the first time, about 4 minutes on 2 cores; later runs
 *       find it built), then re-indexed from its own cache (deleteAll, upsert): documents/s with 0
 *       texts embedded.
 *   <li>A cluster: the test cluster (2 nodes, embedded ZooKeeper, one child JVM of 512 MB on this
 *       machine) unless {@code --solr} names one. The local cache is pushed into a new collection,
 *       then the corpus is upserted there: documents/s, and the run fails unless 0 texts were
 *       embedded.
 *   <li>Both stores answer the judged test queries (the same query vectors): nDCG@10, recall@100
 *       and MRR@10 (k = 100, oversample 2, as {@code embedstore eval}); recall@10 of VECTOR against
 *       EXACT at the default oversample (k' = 80; Solr asks each shard for 80); kNN latency p50 and
 *       p99 over {@code --rounds} rounds of every query, one at a time, after a warm-up round.
 * </ol>
 *
 * <p>The figures go to the table on standard output and to the JSON file. Not a test: nothing is
 * asserted but the 0 texts embedded.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class ScaleOutReport {
  private final Path data;
  private final PrintStream log;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final List<String[]> rows = new ArrayList<>();

  private ScaleOutReport(Path data, PrintStream log) {
    this.data = data;
    this.log = log;
  }

  /**
   * Runs the report.
   *
   * @param args see the class comment
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(System.getProperty("embedstore.shared", "../shared"), "data", "scifact");
    Path local = null;
    Path out = Path.of("benchmarks", "target", "scale-out.json");
    List<String> solr = null;
    int shards = 2;
    int replicas = 2;
    int rounds = 3;
    String model = "all-minilm-l6-v2";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--local" -> local = Path.of(args[++i]);
        case "--json" -> out = Path.of(args[++i]);
        case "--solr" -> solr = List.of(args[++i].split(","));
        case "--shards" -> shards = Integer.parseInt(args[++i]);
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--model" -> model = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (local == null) {
      local = Path.of("benchmarks", "target", "scale-out", "local-scifact-" + model);
    }
    ScaleOutReport r = new ScaleOutReport(data, System.out);
    r.run(model, local, solr, shards, replicas, rounds, out);
  }

  private void run(
      String modelName,
      Path localDir,
      List<String> solrUrls,
      int shards,
      int replicas,
      int rounds,
      Path jsonFile)
      throws Exception {
    long t0 = System.nanoTime();
    json.put("cores", Runtime.getRuntime().availableProcessors());
    json.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
    List<Document> corpus = Beir.corpus(data, Integer.MAX_VALUE);
    Qrels qrels = Qrels.readTsv(data.resolve("qrels").resolve("test.tsv"));
    List<String> queryIds = new ArrayList<>();
    List<String> queryTexts = new ArrayList<>();
    for (Map.Entry<String, String> q : Beir.queriesById(data).entrySet()) {
      if (qrels.judgements().containsKey(q.getKey())) {
        queryIds.add(q.getKey());
        queryTexts.add(q.getValue());
      }
    }
    log.printf(
        Locale.ROOT, "SciFact: %d documents, %d judged queries%n", corpus.size(), queryIds.size());

    SolrTestCluster cluster = null;
    json.put("model", modelName);
    try (OnnxEmbedder model = OnnxEmbedder.open(modelName);
        LuceneVectorStore local = LuceneVectorStore.open(localDir, model)) {
      UpsertResult build = local.upsert(corpus);
      log.printf(
          Locale.ROOT,
          "local store %s: %d embedded, %d unchanged (%.1f s)%n",
          localDir,
          build.embedded(),
          build.unchanged(),
          build.nanos() / 1e9);
      json.put("local_build_embedded", build.embedded());

      // 1. The local store re-indexed from its own cache.
      local.deleteAll();
      UpsertResult localReindex = local.upsert(corpus);
      check(localReindex, "the local re-index");
      double localDocsPerSecond = corpus.size() / (localReindex.nanos() / 1e9);
      json.put("local_reindex_docs_per_s", localDocsPerSecond);

      // 2. The cluster, the push of the cache, the corpus upserted from the cluster's cache.
      if (solrUrls == null) {
        cluster =
            SolrTestCluster.start(
                SolrTestCluster.freshFolder("scale-out-" + Long.toHexString(System.nanoTime())));
        solrUrls = cluster.urls();
        json.put(
            "cluster", "the test cluster: 2 Solr 9.10.1 nodes in one 512 MB JVM, this machine");
      } else {
        json.put("cluster", String.join(",", solrUrls));
      }
      String collection = "scifact_" + Long.toHexString(System.nanoTime());
      SolrStoreConfig config =
          SolrStoreConfig.builder(solrUrls, collection)
              .shards(shards)
              .replicationFactor(replicas)
              .build();
      json.put("shards", shards);
      json.put("replicas", replicas);
      try (SolrVectorStore remote = SolrVectorStore.open(config, model)) {
        long p0 = System.nanoTime();
        long pushed = push(local, remote, model);
        double pushSeconds = (System.nanoTime() - p0) / 1e9;
        json.put("push_entries", pushed);
        json.put("push_entries_per_s", pushed / pushSeconds);
        log.printf(Locale.ROOT, "pushed %d cache entries in %.1f s%n", pushed, pushSeconds);

        UpsertResult remoteIndex = remote.upsert(corpus);
        check(remoteIndex, "the cluster's index");
        double remoteDocsPerSecond = corpus.size() / (remoteIndex.nanos() / 1e9);
        json.put("solr_index_docs_per_s", remoteDocsPerSecond);
        json.put("solr_index_embedded", remoteIndex.embedded());

        // 3. The same query vectors for both stores.
        List<float[]> queries = local.embed(queryTexts, Role.QUERY).vectors();
        Map<String, Object> localFigures =
            measure("local", local, queryIds, queries, qrels, rounds);
        Map<String, Object> solrFigures = measure("solr", remote, queryIds, queries, qrels, rounds);
        json.put("local", localFigures);
        json.put("solr", solrFigures);

        row("ingestion from the cache (docs/s)", localDocsPerSecond, remoteDocsPerSecond, "%.0f");
        row("texts embedded", 0, remoteIndex.embedded(), "%.0f");
        for (String k : List.of("ndcg@10", "recall@100", "mrr@10", "recall@10_vs_exact")) {
          row(k, (double) localFigures.get(k), (double) solrFigures.get(k), "%.5f");
        }
        row(
            "kNN p50 (ms)",
            (double) localFigures.get("p50_ms"),
            (double) solrFigures.get("p50_ms"),
            "%.2f");
        row(
            "kNN p99 (ms)",
            (double) localFigures.get("p99_ms"),
            (double) solrFigures.get("p99_ms"),
            "%.2f");
        json.put(
            "ndcg@10_difference",
            Math.abs((double) localFigures.get("ndcg@10") - (double) solrFigures.get("ndcg@10")));
      }
    } finally {
      if (cluster != null) {
        cluster.close();
        TempFolders.delete(cluster.folder());
      }
    }
    json.put("seconds", (System.nanoTime() - t0) / 1e9);
    print(shards, replicas);
    if (jsonFile.getParent() != null) {
      Files.createDirectories(jsonFile.getParent());
    }
    try (OutputStream os = Files.newOutputStream(jsonFile)) {
      JsonOutput.writePretty(os, json);
    }
    log.println("figures written to " + jsonFile);
  }

  private static void check(UpsertResult r, String what) {
    if (r.embedded() != 0) {
      throw new IllegalStateException(what + " embedded " + r.embedded() + " texts; expected 0");
    }
  }

  /** Copies the local store's cache entries of the model into the cluster, as cache push does. */
  private static long push(VectorStore from, VectorStore to, OnnxEmbedder model)
      throws IOException {
    List<CacheEntry> batch = new ArrayList<>();
    long[] n = {0};
    from.cache()
        .forEach(
            model.fingerprint(),
            e -> {
              batch.add(e);
              if (batch.size() == 500) {
                to.putCacheEntries(batch);
                n[0] += batch.size();
                batch.clear();
              }
            });
    if (!batch.isEmpty()) {
      to.putCacheEntries(batch);
      n[0] += batch.size();
    }
    to.commit();
    return n[0];
  }

  private Map<String, Object> measure(
      String name,
      VectorStore store,
      List<String> ids,
      List<float[]> queries,
      Qrels qrels,
      int rounds)
      throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, List<String>> results = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      List<String> ranked = new ArrayList<>();
      for (SearchHit h :
          store.search(SearchRequest.ofVector(queries.get(i), 100).withOversample(2))) {
        ranked.add(h.id());
      }
      results.put(ids.get(i), ranked);
    }
    RetrievalMetrics.Scores s = RetrievalMetrics.score(qrels, results);
    out.put("ndcg@10", s.ndcgAt10());
    out.put("recall@100", s.recallAt100());
    out.put("mrr@10", s.mrrAt10());
    out.put("queries", s.queries());

    long found = 0;
    for (float[] q : queries) {
      Set<String> exact = new HashSet<>();
      for (SearchHit h : store.search(SearchRequest.ofVector(q, 10).withMode(SearchMode.EXACT))) {
        exact.add(h.id());
      }
      for (SearchHit h : store.search(SearchRequest.ofVector(q, 10))) {
        found += exact.contains(h.id()) ? 1 : 0;
      }
    }
    out.put("recall@10_vs_exact", found / (10.0 * queries.size()));

    for (float[] q : queries) { // warm-up
      store.search(SearchRequest.ofVector(q, 10));
    }
    long[] nanos = new long[rounds * queries.size()];
    int at = 0;
    for (int r = 0; r < rounds; r++) {
      for (float[] q : queries) {
        long t = System.nanoTime();
        store.search(SearchRequest.ofVector(q, 10));
        nanos[at++] = System.nanoTime() - t;
      }
    }
    Arrays.sort(nanos);
    out.put("searches", nanos.length);
    out.put("p50_ms", nanos[nanos.length / 2] / 1e6);
    out.put(
        "p99_ms",
        nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1e6);
    log.printf(Locale.ROOT, "%s: %s%n", name, out);
    return out;
  }

  private void row(String what, double local, double solr, String format) {
    rows.add(
        new String[] {
          what, String.format(Locale.ROOT, format, local), String.format(Locale.ROOT, format, solr)
        });
  }

  private void print(int shards, int replicas) {
    log.println();
    log.printf(
        Locale.ROOT,
        "%-36s %14s %14s%n",
        "SciFact, " + json.get("model"),
        "local (Lucene)",
        "Solr " + shards + "x" + replicas);
    for (String[] r : rows) {
      log.printf(Locale.ROOT, "%-36s %14s %14s%n", r[0], r[1], r[2]);
    }
    log.printf(
        Locale.ROOT,
        "push: %.0f cache entries/s; run %.0f s%n",
        (double) json.get("push_entries_per_s"),
        (double) json.get("seconds"));
  }
}
