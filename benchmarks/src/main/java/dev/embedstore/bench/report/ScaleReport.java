package dev.embedstore.bench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.embedstore.bench.Beir;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.bench.TempFolders;
import dev.embedstore.bench.report.ChildProcesses.Timed;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.npy.NpyReader;
import dev.embedstore.npy.NpyWriter;
import dev.embedstore.store.Document;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A store of many synthetic documents built without the model, timed as whole processes, next to
 * FAISS HNSW on the same vectors.
 *
 * <p>A seed store embeds the first 1,000 SciFact passages with the default model; its cache is
 * exported. The generator then writes {@code N} synthetic passages (words drawn from the seeds'
 * texts) and, for each, a vector clustered around a random seed vector (Gaussian noise, L2
 * normalised) under the cache key the store would derive for that text, as {@code cache export}
 * writes them. Timed as child processes of the real launcher: {@code cache import} + {@code index}
 * (0 embedded: the build), an unchanged re-index, {@code stats}, {@code search} with the model
 * embedding the query; then recall@10 of the default search against {@code --mode exact} over 100
 * SciFact queries, the same at {@code --oversample} 16, 32 and 64 with their time (what a higher
 * recall costs), and the store's size. {@code benchmarks/peers/faiss_hnsw.py} builds FAISS's
 * IndexHNSWFlat (M 16, efConstruction 100, 2 threads) on the same {@code .npy} and measures its
 * recall@10 against exact search at efSearch 80 and 160 for the same query vectors.
 *
 * <p>Run: {@code ./benchmarks/run dev.embedstore.bench.report.ScaleReport [--documents N]
 * [--no-faiss] [--keep DIR]}. Disk: about 3.5 KB per document for the store, 1.5 KB for the
 * generated files.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class ScaleReport {
  private static final int SEEDS = 1000;
  private static final int QUERIES = 100;
  private static final int WORDS = 24;
  private static final double NOISE = 0.03;

  private final Path root;
  private final Path scratch;
  private final PrintStream log;
  private final ChildProcesses children;
  private final Map<String, Object> json = new LinkedHashMap<>();

  private ScaleReport(Path root, Path scratch, PrintStream log) {
    this.root = root;
    this.scratch = scratch;
    this.log = log;
    this.children = new ChildProcesses(root, scratch.resolve("children.log"));
  }

  /**
   * Runs the report.
   *
   * @param args {@code [--documents N] [--no-faiss] [--keep DIR] [--data DIR]}
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(System.getProperty("embedstore.shared", "../shared"), "data", "scifact");
    int documents = 1_000_000;
    boolean faiss = true;
    Path keep = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--documents" -> documents = Integer.parseInt(args[++i]);
        case "--no-faiss" -> faiss = false;
        case "--keep" -> keep = Path.of(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path scratch =
        keep != null
            ? Files.createDirectories(keep)
            : Files.createTempDirectory("embedstore-scale");
    try {
      ScaleReport r = new ScaleReport(ChildProcesses.repoRoot(), scratch, System.out);
      r.measure(data, documents, faiss);
      Path out = Path.of("benchmarks", "target", "scale-" + documents + ".json");
      Files.createDirectories(out.getParent());
      try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
          JsonGenerator g = new JsonFactory().createGenerator(w)) {
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        for (Map.Entry<String, Object> e : r.json.entrySet()) {
          g.writeFieldName(e.getKey());
          g.writeString(String.valueOf(e.getValue()));
        }
        g.writeEndObject();
      }
      System.out.println("figures written to " + out);
    } finally {
      if (keep == null) {
        TempFolders.delete(scratch);
      }
    }
  }

  private void measure(Path data, int documents, boolean faiss) throws Exception {
    List<Document> seeds = Beir.corpus(data, SEEDS);
    Path seedDocs = scratch.resolve("seeds.jsonl");
    try (Writer w = Files.newBufferedWriter(seedDocs, StandardCharsets.UTF_8)) {
      for (Document d : seeds) {
        ChildProcesses.docLine(w, d.id(), d.embeddedText());
      }
    }
    children.privateDaemons(scratch);
    Path seedStore = scratch.resolve("seed-store");
    log.println("scale: embedding " + seeds.size() + " seed passages (default model)...");
    exec(launcher("index", "--json", "--store", seedStore, seedDocs));
    Path seedNpy = scratch.resolve("seeds.npy");
    exec(launcher("cache", "export", "--store", seedStore, "--out", seedNpy));
    String fingerprint = header(seedNpy).get("fingerprint");
    Path queries = scratch.resolve("queries.jsonl");
    try (Writer w = Files.newBufferedWriter(queries, StandardCharsets.UTF_8)) {
      int i = 0;
      for (String q : Beir.queries(data, QUERIES)) {
        ChildProcesses.docLine(w, "q" + i++, q);
      }
    }
    Path queryNpy = scratch.resolve("queries.npy");
    exec(
        launcher(
            "embed", "--role", "query", "--store", seedStore, "--in", queries, "--out", queryNpy));

    log.printf(Locale.ROOT, "scale: generating %,d documents and their vectors...%n", documents);
    Path docs = scratch.resolve("docs.jsonl");
    Path npy = scratch.resolve("vectors.npy");
    long g0 = System.nanoTime();
    generate(seeds, seedNpy, ModelFingerprint.ofHex(fingerprint), documents, docs, npy);
    json.put("documents", documents);
    json.put("generate_seconds", (System.nanoTime() - g0) / 1e9);

    Path store = scratch.resolve("store");
    double imp = time("import", launcher("cache", "import", "--json", "--store", store, npy));
    Timed build = exec(launcher("index", "--json", "--store", store, docs));
    record("index", build.seconds());
    json.put("build_seconds", imp + build.seconds());
    json.put("build_embedded", ChildProcesses.number(build.stdout(), "embedded"));
    Timed again = exec(launcher("index", "--json", "--store", store, docs));
    record("reindex_unchanged", again.seconds());
    json.put("reindex_embedded", ChildProcesses.number(again.stdout(), "embedded"));
    time("stats", launcher("stats", "--json", "--store", store));
    List<String> qs = Beir.queries(data, 3);
    time("search_1", launcher("search", "--json", "--store", store, qs.get(0)));
    time("search_2", launcher("search", "--json", "--store", store, qs.get(1)));
    // The same commands each in a JVM of its own, as before the background process.
    record(
        "own_jvm_stats",
        children
            .exec(launcher("stats", "--json", "--store", store), ChildProcesses.OWN_JVM)
            .seconds());
    record(
        "own_jvm_search",
        children
            .exec(launcher("search", "--json", "--store", store, qs.get(2)), ChildProcesses.OWN_JVM)
            .seconds());
    Timed hnsw = exec(launcher("search", "--json", "--store", store, "--queries", queries));
    record("search_100_queries", hnsw.seconds());
    Timed exact =
        exec(
            launcher(
                "search", "--json", "--store", store, "--mode", "exact", "--queries", queries));
    record("search_100_queries_exact", exact.seconds());
    json.put("recall_at_10_default", recall(hnsw.stdout(), exact.stdout()));
    // What a higher recall costs: the same 100 queries with more graph candidates per hit.
    for (int oversample : new int[] {16, 32, 64}) {
      Timed wide =
          exec(
              launcher(
                  "search",
                  "--json",
                  "--store",
                  store,
                  "--oversample",
                  Integer.toString(oversample),
                  "--queries",
                  queries));
      record("search_100_queries_oversample_" + oversample, wide.seconds());
      json.put("recall_at_10_oversample_" + oversample, recall(wide.stdout(), exact.stdout()));
    }
    json.put("store_bytes", size(store));
    exec(launcher("daemon", "stop"));
    if (faiss) {
      Timed f =
          exec(
              List.of(
                  "/usr/bin/python3",
                  root.resolve("benchmarks/peers/faiss_hnsw.py").toString(),
                  npy.toString(),
                  queryNpy.toString()));
      json.put("faiss", f.stdout().strip());
    }
    log.println();
    log.printf(Locale.ROOT, "scale, %,d synthetic documents (0 embedded):%n", documents);
    for (Map.Entry<String, Object> e : json.entrySet()) {
      log.println("  " + e.getKey() + ": " + e.getValue());
    }
  }

  private void generate(
      List<Document> seeds, Path seedNpy, ModelFingerprint fp, int n, Path docs, Path npy)
      throws IOException {
    List<float[]> centers = new ArrayList<>();
    try (NpyReader r = NpyReader.open(seedNpy)) {
      for (float[] v = r.next(); v != null; v = r.next()) {
        centers.add(v);
      }
    }
    List<String> vocabulary = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Document d : seeds) {
      for (String w : d.embeddedText().toLowerCase(Locale.ROOT).split("[^a-z]+")) {
        if (w.length() > 2 && seen.add(w)) {
          vocabulary.add(w);
        }
      }
    }
    int dim = centers.get(0).length;
    Random random = new Random(17);
    Path keys = npy.resolveSibling("vectors.keys");
    try (Writer dw = Files.newBufferedWriter(docs, StandardCharsets.UTF_8);
        BufferedWriter kw = Files.newBufferedWriter(keys, StandardCharsets.UTF_8);
        NpyWriter vw = NpyWriter.create(npy, dim)) {
      kw.write(
          "# embedstore-keys/1 fingerprint="
              + fp.hex()
              + " dimension="
              + dim
              + " rows="
              + n
              + "\n");
      StringBuilder text = new StringBuilder();
      float[] v = new float[dim];
      for (int i = 0; i < n; i++) {
        text.setLength(0);
        text.append("Synthetic passage ").append(i).append(':');
        for (int w = 0; w < WORDS; w++) {
          text.append(' ').append(vocabulary.get(random.nextInt(vocabulary.size())));
        }
        String t = text.toString();
        ChildProcesses.docLine(dw, "s" + i, t);
        float[] c = centers.get(random.nextInt(centers.size()));
        double norm = 0;
        for (int d = 0; d < dim; d++) {
          v[d] = (float) (c[d] + NOISE * random.nextGaussian());
          norm += v[d] * v[d];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dim; d++) {
          v[d] *= inv;
        }
        vw.write(v);
        kw.write(CacheKey.of(fp, "", Role.DOCUMENT, t).hex());
        kw.write(" D\n");
      }
    }
  }

  /** The fields of a keys file's first line. */
  private static Map<String, String> header(Path npy) throws IOException {
    Path keys = npy.resolveSibling(npy.getFileName().toString().replace(".npy", ".keys"));
    Map<String, String> out = new LinkedHashMap<>();
    try (BufferedReader r = Files.newBufferedReader(keys, StandardCharsets.UTF_8)) {
      for (String part : r.readLine().split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          out.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
    }
    return out;
  }

  private static double recall(String approximate, String exact) throws IOException {
    List<List<String>> a = hits(approximate);
    List<List<String>> e = hits(exact);
    long found = 0;
    long total = 0;
    for (int q = 0; q < e.size(); q++) {
      Set<String> truth = new HashSet<>(e.get(q));
      total += truth.size();
      for (String id : a.get(q)) {
        if (truth.contains(id)) {
          found++;
        }
      }
    }
    return total == 0 ? Double.NaN : (double) found / total;
  }

  /** The hit ids of each JSON line of {@code search --queries}. */
  private static List<List<String>> hits(String lines) throws IOException {
    List<List<String>> out = new ArrayList<>();
    for (String l : lines.split("\n")) {
      if (l.isBlank()) {
        continue;
      }
      List<String> ids = new ArrayList<>();
      try (JsonParser p = new JsonFactory().createParser(l)) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.FIELD_NAME && "id".equals(p.currentName())) {
            p.nextToken();
            ids.add(p.getText());
          }
        }
      }
      out.add(ids);
    }
    return out;
  }

  private static long size(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  // -----------------------------------------------------------------------------------------------

  private List<String> launcher(Object... args) {
    return children.launcher(args);
  }

  private Timed exec(List<String> cmd) throws IOException, InterruptedException {
    return children.exec(cmd);
  }

  private double time(String what, List<String> cmd) throws IOException, InterruptedException {
    Timed t = exec(cmd);
    record(what, t.seconds());
    return t.seconds();
  }

  private void record(String what, double seconds) {
    json.put(what + "_seconds", seconds);
    log.printf(Locale.ROOT, "  %s: %.2f s%n", what, seconds);
  }
}
