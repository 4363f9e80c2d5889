package dev.embedstore.bench.report;

import dev.embedstore.bench.Beir;
import dev.embedstore.bench.SuppressForbidden;
import dev.embedstore.bench.TempFolders;
import dev.embedstore.bench.report.ChildProcesses.Timed;
import dev.embedstore.store.Document;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The whole-process table: what a user measures with a stopwatch around each command, Embedstore
 * against the two peer designs of the embedding-cache tutorials, every figure a whole process
 * started and waited for in this run.
 *
 * <p>Per run, on the same documents ({@code (title + " " + text).strip()} of the first passages of
 * a BEIR corpus) and the same all-MiniLM-L6-v2 fp32 ONNX file from the same Maven artifact:
 *
 * <ul>
 *   <li><b>cold build</b>: Embedstore's {@code index} into a new store; design A's and B's first
 *       build (every text embedded);
 *   <li><b>re-create from the cache</b>: Embedstore's {@code index} into the store after every
 *       document was deleted (the cache stays; the {@code delete} process is shown apart), and the
 *       other way a user can go, {@code cache import} into a new store + {@code index}; design A's
 *       build again over its full cache (a new FAISS index);
 *   <li><b>delete 10, re-index all</b>: a {@code delete} process and an {@code index} process of
 *       all documents, for Embedstore and design B;
 *   <li><b>the floor</b>: {@link LuceneFloor}, a bare JVM that writes the same texts with the
 *       exported cache's vectors to a new Lucene index: what any JVM + Lucene re-create pays;
 *   <li><b>search</b>: one query (a different one each run, so no cache holds it) with the model
 *       embedding it; <b>--help</b>: Embedstore's only.
 * </ul>
 *
 * <p>Embedstore's commands run as a user's do by default, in the launcher's background process
 * (started by the warm-up, in a private folder, stopped at the end); the rows marked "in a JVM of
 * its own" run the same commands on a copy of the same store with {@code EMBEDSTORE_DAEMON=false},
 * as every command ran before the background process, and "the first command" is a search right
 * after the process was stopped, which starts a new one.
 *
 * <p>The peers are {@code benchmarks/peers/*.py} run by Debian's {@code /usr/bin/python3} with
 * Debian's faiss and numpy; their embedding step is ONNX Runtime's Node binding in a child process
 * ({@code benchmarks/peers/embed.mjs}), since Python's onnxruntime cannot be installed here. {@code
 * benchmarks/peers/setup.sh} installs and unpacks everything before the first timing.
 */
@SuppressForbidden(reason = "a benchmark program: its report is its standard output")
public final class WholeProcessReport {
  /** The fp32 model both sides run. */
  static final String MODEL = "all-minilm-l6-v2";

  /** Embedstore with every command in a JVM of its own ({@code EMBEDSTORE_DAEMON=false}). */
  static final String OWN = "embedstore_own_jvm";

  private final Path root;
  private final Path scratch;
  private final int runs;
  private final PrintStream log;
  private final ChildProcesses children;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final Map<String, Map<String, List<Double>>> seconds = new LinkedHashMap<>();
  private Path peersModel;

  private WholeProcessReport(Path root, Path scratch, int runs, PrintStream log) {
    this.root = root;
    this.scratch = scratch;
    this.runs = runs;
    this.log = log;
    this.children = new ChildProcesses(root, scratch.resolve("children.log"));
  }

  /**
   * Runs the table alone: {@code [--documents N] [--runs N] [--no-peers] [--data DIR]}.
   *
   * @param args the options
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(System.getProperty("embedstore.shared", "../shared"), "data", "scifact");
    int documents = 1000;
    int runs = 2;
    boolean peers = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--documents" -> documents = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--no-peers" -> peers = false;
        case "--data" -> data = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    run(data, documents, runs, peers, ChildProcesses.repoRoot(), System.out);
  }

  /**
   * Measures the table and prints it.
   *
   * @param data a BEIR folder (corpus.jsonl, queries.jsonl)
   * @param documents how many passages
   * @param runs how many runs of each phase
   * @param peers whether to run the peers (needs {@code benchmarks/peers/setup.sh} to succeed)
   * @param root the repository root, where the {@code embedstore} launcher is
   * @param log where the table and progress go
   * @return the figures: {@code per_run} (seconds, or a count for {@code *_embedded}) per system,
   *     phase and run, and the ratios
   * @throws Exception if anything fails
   */
  public static Map<String, Object> run(
      Path data, int documents, int runs, boolean peers, Path root, PrintStream log)
      throws Exception {
    Path scratch = Files.createTempDirectory("embedstore-whole-process");
    try {
      WholeProcessReport r = new WholeProcessReport(root, scratch, runs, log);
      r.measure(data, documents, peers);
      return r.json;
    } finally {
      TempFolders.delete(scratch);
    }
  }

  private void measure(Path data, int documents, boolean peers) throws Exception {
    List<Document> docs = Beir.corpus(data, documents);
    List<String> queries = Beir.queries(data, runs);
    Path docsFile = scratch.resolve("docs.jsonl");
    writeDocs(docs, docsFile);
    List<String> allIds = docs.stream().map(Document::id).toList();
    List<String> tenIds = allIds.subList(0, Math.min(10, allIds.size()));
    json.put("documents", docs.size());
    json.put("model", MODEL);
    json.put("runs", runs);
    if (peers) {
      peers = setUpPeers();
    } else {
      json.put("peers", "skipped (--no-peers)");
    }
    children.privateDaemons(scratch);
    log.println("whole process: warming the launcher (a first run may build the CLI)...");
    exec(embedstore("--help"));
    // The first run of each command after a build also writes that command's class-data archive
    // (seconds, once): run every command timed below once on a small store, so that both runs
    // measure what every later run of the command sees.
    Path warmDocs = scratch.resolve("warm.jsonl");
    writeDocs(docs.subList(0, Math.min(2, docs.size())), warmDocs);
    Path warm = scratch.resolve("warm-store");
    exec(embedstore(index(warm, warmDocs, true)));
    exec(embedstore("search", "--json", "--store", warm, queries.get(0)));
    exec(embedstore("delete", "--json", "--store", warm, allIds.get(0)));
    Path warmNpy = scratch.resolve("warm.npy");
    exec(embedstore("cache", "export", "--store", warm, "--out", warmNpy));
    exec(
        embedstore(
            "cache", "import", "--model", MODEL, "--store", scratch.resolve("warm-2"), warmNpy));
    exec(floor(scratch.resolve("warm-floor"), warmDocs, warmNpy, true));
    // ... and in a JVM of their own (EMBEDSTORE_DAEMON=false), which write the commands' archives.
    for (List<String> cmd :
        List.of(
            embedstore("search", "--json", "--store", warm, queries.get(0)),
            embedstore(index(warm, warmDocs, false)),
            embedstore("delete", "--json", "--store", warm, allIds.get(1)))) {
      exec(cmd, ChildProcesses.OWN_JVM);
    }

    for (int run = 1; run <= runs; run++) {
      log.printf(Locale.ROOT, "whole process, run %d of %d%n", run, runs);
      Path store = scratch.resolve("es-" + run);
      Path a = scratch.resolve("a-" + run);
      Path b = scratch.resolve("b-" + run);
      String query = queries.get((run - 1) % queries.size());

      Timed cold = time("embedstore", "cold", embedstore(index(store, docsFile, true)));
      record("embedstore", "cold_embedded", ChildProcesses.number(cold.stdout(), "embedded"));
      Path own = scratch.resolve("own-" + run); // the same store, for the JVM-per-command rows
      copyTree(store, own);
      if (peers) {
        time("langchain_faiss", "cold", peerA("build", "--docs", docsFile, "--dir", a));
        time("tutorial_store", "cold", peerB("index", "--docs", docsFile, "--dir", b));
      }

      List<String> deleteAll = embedstore("delete", "--json", "--store", store);
      deleteAll.addAll(allIds);
      time("embedstore", "delete_all", deleteAll);
      Timed again = time("embedstore", "recreate", embedstore(index(store, docsFile, false)));
      record("embedstore", "recreate_embedded", ChildProcesses.number(again.stdout(), "embedded"));
      record(
          "embedstore", "recreate_inside_index", ChildProcesses.number(again.stdout(), "seconds"));
      List<String> deleteAllOwn = embedstore("delete", "--json", "--store", own);
      deleteAllOwn.addAll(allIds);
      time(OWN, "delete_all", deleteAllOwn, ChildProcesses.OWN_JVM);
      Timed ownAgain =
          time(OWN, "recreate", embedstore(index(own, docsFile, false)), ChildProcesses.OWN_JVM);
      record(OWN, "recreate_embedded", ChildProcesses.number(ownAgain.stdout(), "embedded"));
      Path exported = scratch.resolve("cache-" + run + ".npy");
      exec(embedstore("cache", "export", "--store", store, "--out", exported));
      Timed bare =
          time(
              "lucene_floor",
              "recreate",
              floor(scratch.resolve("floor-" + run), docsFile, exported, false));
      record("lucene_floor", "recreate_inside", ChildProcesses.number(bare.stdout(), "seconds"));
      Path imported = scratch.resolve("es-import-" + run);
      Timed imp =
          time(
              "embedstore",
              "import",
              embedstore("cache", "import", "--model", MODEL, "--store", imported, exported));
      Timed viaImport =
          time("embedstore", "import_index", embedstore(index(imported, docsFile, false)));
      record("embedstore", "recreate_import", imp.seconds() + viaImport.seconds());
      record(
          "embedstore",
          "recreate_import_embedded",
          ChildProcesses.number(viaImport.stdout(), "embedded"));
      if (peers) {
        Timed t =
            time("langchain_faiss", "recreate", peerA("build", "--docs", docsFile, "--dir", a));
        record(
            "langchain_faiss", "recreate_embedded", ChildProcesses.number(t.stdout(), "embedded"));
      }

      List<String> deleteTen = embedstore("delete", "--json", "--store", store);
      deleteTen.addAll(tenIds);
      Timed del = time("embedstore", "delete10", deleteTen);
      Timed re = time("embedstore", "reindex", embedstore(index(store, docsFile, false)));
      record("embedstore", "delete10_reindex", del.seconds() + re.seconds());
      record("embedstore", "reindex_embedded", ChildProcesses.number(re.stdout(), "embedded"));
      List<String> deleteTenOwn = embedstore("delete", "--json", "--store", own);
      deleteTenOwn.addAll(tenIds);
      Timed delOwn = time(OWN, "delete10", deleteTenOwn, ChildProcesses.OWN_JVM);
      Timed reOwn =
          time(OWN, "reindex", embedstore(index(own, docsFile, false)), ChildProcesses.OWN_JVM);
      record(OWN, "delete10_reindex", delOwn.seconds() + reOwn.seconds());
      if (peers) {
        List<String> peerDelete = peerB("delete", "--dir", b);
        peerDelete.addAll(tenIds);
        Timed pd = time("tutorial_store", "delete10", peerDelete);
        Timed pr =
            time("tutorial_store", "reindex", peerB("index", "--docs", docsFile, "--dir", b));
        record("tutorial_store", "delete10_reindex", pd.seconds() + pr.seconds());
        record(
            "tutorial_store", "reindex_embedded", ChildProcesses.number(pr.stdout(), "embedded"));
      }

      time("embedstore", "search", embedstore("search", "--json", "--store", store, query));
      time(
          OWN,
          "search",
          embedstore("search", "--json", "--store", own, query),
          ChildProcesses.OWN_JVM);
      if (peers) {
        time("langchain_faiss", "search", peerA("search", "--dir", a, "--query", query));
        time("tutorial_store", "search", peerB("search", "--dir", b, "--query", query));
      }
      time("embedstore", "help", embedstore("--help"));
      // The first command after the background process ended: it starts one.
      exec(embedstore("daemon", "stop"));
      time("embedstore", "first_search", embedstore("search", "--json", "--store", store, query));
    }
    exec(embedstore("daemon", "stop"));
    json.put("per_run", seconds);
    print(peers);
  }

  // -----------------------------------------------------------------------------------------------

  private boolean setUpPeers() throws IOException, InterruptedException {
    log.println("whole process: setting up the peers (benchmarks/peers/setup.sh)...");
    Path model = root.resolve("benchmarks/target/peers-model");
    List<String> cmd =
        List.of("sh", root.resolve("benchmarks/peers/setup.sh").toString(), model.toString());
    Timed t = children.run(cmd);
    if (t == null) {
      json.put(
          "peers", "skipped: benchmarks/peers/setup.sh failed (see " + children.stderr() + ")");
      log.println("whole process: the peers are skipped; setup.sh failed");
      return false;
    }
    peersModel = model;
    json.put(
        "peers",
        "python3 "
            + pythonVersion()
            + ", faiss and numpy from Debian, ONNX Runtime's Node binding");
    return true;
  }

  private String pythonVersion() throws IOException, InterruptedException {
    Timed t =
        exec(
            List.of(
                "/usr/bin/python3",
                "-c",
                "import sys, faiss, numpy; print(sys.version.split()[0], 'faiss', faiss.__version__, 'numpy', numpy.__version__)"));
    return t.stdout().trim();
  }

  private List<String> index(Path store, Path docs, boolean cold) {
    List<String> cmd = new ArrayList<>(List.of("index", "--json", "--store", store.toString()));
    if (cold) {
      cmd.add("--model");
      cmd.add(MODEL);
    }
    cmd.add(docs.toString());
    return cmd;
  }

  /**
   * A JVM running {@link LuceneFloor} with the launcher's Lucene flags and a class-data archive of
   * its own (written by the warm-up run, mapped by the timed ones).
   */
  private List<String> floor(Path index, Path docs, Path vectors, boolean writeArchive)
      throws IOException {
    Path archive = scratch.resolve("lucene-floor.jsa");
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules",
        "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED",
        (writeArchive ? "-XX:ArchiveClassesAtExit=" : "-XX:SharedArchiveFile=") + archive,
        "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off",
        "-cp",
        floorClassPath(),
        LuceneFloor.class.getName(),
        index.toString(),
        docs.toString(),
        vectors.toString());
  }

  /**
   * The floor's class path: only jars, since a class-data archive refuses a class path with a
   * non-empty folder: {@link LuceneFloor} in a jar of its own, and the jars it uses from this
   * process's class path (Lucene's core, Jackson's core, embedstore-core for the {@code .npy}
   * reader).
   */
  private String floorClassPath() throws IOException {
    Path jar = scratch.resolve("lucene-floor.jar");
    if (!Files.exists(jar)) {
      String entry = LuceneFloor.class.getName().replace('.', '/') + ".class";
      try (InputStream in = LuceneFloor.class.getClassLoader().getResourceAsStream(entry);
          JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new JarEntry(entry));
        in.transferTo(out);
        out.closeEntry();
      }
    }
    List<String> path = new ArrayList<>(List.of(jar.toString()));
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      if (name.endsWith(".jar")
          && !name.endsWith("-tests.jar")
          && (name.startsWith("lucene-core-")
              || name.startsWith("jackson-core-")
              || name.startsWith("embedstore-core-"))) {
        path.add(e);
      }
    }
    return String.join(java.io.File.pathSeparator, path);
  }

  private List<String> embedstore(Object... args) {
    return children.launcher(args);
  }

  private Timed exec(List<String> cmd) throws IOException, InterruptedException {
    return children.exec(cmd);
  }

  private Timed exec(List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    return children.exec(cmd, env);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.getFileName().toString().equals("write.lock")) {
          Files.copy(f, target);
        }
      }
    }
  }

  private List<String> peerA(Object... args) {
    return peer("langchain_faiss.py", args);
  }

  private List<String> peerB(Object... args) {
    return peer("tutorial_store.py", args);
  }

  private List<String> peer(String script, Object... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("/usr/bin/python3");
    cmd.add(root.resolve("benchmarks/peers").resolve(script).toString());
    for (Object a : args) {
      cmd.add(a.toString());
    }
    if (!"delete".equals(args[0])) {
      cmd.add("--model");
      cmd.add(peersModel.toString());
    }
    return cmd;
  }

  private Timed time(String system, String phase, List<String> cmd)
      throws IOException, InterruptedException {
    return time(system, phase, cmd, Map.of());
  }

  private Timed time(String system, String phase, List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    Timed t = children.exec(cmd, env);
    record(system, phase, t.seconds());
    log.printf(Locale.ROOT, "  %s %s: %.2f s%n", system, phase, t.seconds());
    return t;
  }

  private void record(String system, String phase, double value) {
    seconds
        .computeIfAbsent(system, s -> new LinkedHashMap<>())
        .computeIfAbsent(phase, p -> new ArrayList<>())
        .add(value);
  }

  private static void writeDocs(List<Document> docs, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Document d : docs) {
        String text = d.title() == null ? d.text() : (d.title() + " " + d.text()).strip();
        ChildProcesses.docLine(w, d.id(), text);
      }
    }
  }

  // -----------------------------------------------------------------------------------------------

  private void print(boolean peers) {
    Map<String, Object> ratios = new LinkedHashMap<>();
    json.put("ratios", ratios);
    log.println();
    log.printf(
        Locale.ROOT,
        "whole processes, %d documents, %s fp32, %d runs each (seconds per run)%n",
        ((Number) json.get("documents")).intValue(),
        MODEL,
        runs);
    log.println(
        "| phase | Embedstore | LangChain CBE + FAISS (A) | tutorial + store (B) | peer / Embedstore | target |");
    log.println("|---|---|---|---|---|---|");
    line(ratios, "cold build", "embedstore", "cold", "cold", "cold", ">= 1.3x (vs both)", peers);
    line(
        ratios,
        "re-create from the cache (delete all, then index)",
        "embedstore",
        "recreate",
        "recreate",
        null,
        ">= 2x vs A",
        peers);
    line(
        ratios,
        "... each command in a JVM of its own (EMBEDSTORE_DAEMON=false)",
        OWN,
        "recreate",
        "recreate",
        null,
        "",
        peers);
    line(
        ratios,
        "floor: a bare JVM writing the same texts and cached vectors to a new Lucene index"
            + " (LuceneFloor, no Embedstore)",
        "lucene_floor",
        "recreate",
        "recreate",
        null,
        "what no JVM + Lucene design gets under",
        peers);
    line(
        ratios,
        "re-create: cache import into a new store + index",
        "embedstore",
        "recreate_import",
        "recreate",
        null,
        ">= 2x vs A",
        peers);
    line(
        ratios,
        "delete 10, re-index all (two processes)",
        "embedstore",
        "delete10_reindex",
        null,
        "delete10_reindex",
        ">= 3x vs B",
        peers);
    line(
        ratios,
        "... each command in a JVM of its own",
        OWN,
        "delete10_reindex",
        null,
        "delete10_reindex",
        "",
        peers);
    line(
        ratios,
        "search, the model embeds the query",
        "embedstore",
        "search",
        "search",
        "search",
        "<= 1.0 s",
        peers);
    line(ratios, "... in a JVM of its own", OWN, "search", "search", "search", "<= 1.0 s", peers);
    line(
        ratios,
        "... the first command, which starts the background process",
        "embedstore",
        "first_search",
        "search",
        "search",
        "",
        peers);
    line(ratios, "--help", "embedstore", "help", null, null, "<= 0.3 s", peers);
    log.printf(
        Locale.ROOT,
        "Embedstore's delete of all %d ids before the re-create: %s s; inside index (its own \"seconds\"): %s s%n",
        ((Number) json.get("documents")).intValue(),
        runs("embedstore", "delete_all"),
        runs("embedstore", "recreate_inside_index"));
    log.printf(
        Locale.ROOT,
        "embedded by the model: Embedstore cold %s, re-create %s, via import %s, re-index %s%s%n",
        runs("embedstore", "cold_embedded"),
        runs("embedstore", "recreate_embedded"),
        runs("embedstore", "recreate_import_embedded"),
        runs("embedstore", "reindex_embedded"),
        peers
            ? "; A re-create "
                + runs("langchain_faiss", "recreate_embedded")
                + "; B re-index "
                + runs("tutorial_store", "reindex_embedded")
            : "");
    log.println();
  }

  /**
   * One row: {@code system}'s runs of {@code phase} in the Embedstore column (the floor's row puts
   * its own there), the peers' runs and their medians over its median, also kept in {@code ratios}
   * as {@code PHASE_vs_a} (prefixed with the system's name for any system but Embedstore).
   */
  private void line(
      Map<String, Object> ratios,
      String what,
      String system,
      String phase,
      String aPhase,
      String bPhase,
      String target,
      boolean peers) {
    String a = peers && aPhase != null ? runs("langchain_faiss", aPhase) : "—";
    String b = peers && bPhase != null ? runs("tutorial_store", bPhase) : "—";
    List<String> r = new ArrayList<>();
    double es = median(system, phase);
    String key = system.equals("embedstore") ? phase : system + "_" + phase;
    if (peers && aPhase != null) {
      double x = median("langchain_faiss", aPhase) / es;
      ratios.put(key + "_vs_a", x);
      r.add(String.format(Locale.ROOT, "A %.2fx", x));
    }
    if (peers && bPhase != null) {
      double x = median("tutorial_store", bPhase) / es;
      ratios.put(key + "_vs_b", x);
      r.add(String.format(Locale.ROOT, "B %.2fx", x));
    }
    log.println(
        "| "
            + what
            + " | "
            + runs(system, phase)
            + " | "
            + a
            + " | "
            + b
            + " | "
            + (r.isEmpty() ? "—" : String.join(", ", r))
            + " | "
            + target
            + " |");
  }

  private String runs(String system, String phase) {
    List<Double> v = seconds.getOrDefault(system, Map.of()).get(phase);
    if (v == null || v.isEmpty()) {
      return "—";
    }
    List<String> s = new ArrayList<>();
    for (double x : v) {
      s.add(
          x == Math.rint(x) && Math.abs(x) < 1e9
              ? Long.toString((long) x)
              : String.format(Locale.ROOT, "%.2f", x));
    }
    return String.join(" / ", s);
  }

  private double median(String system, String phase) {
    List<Double> v =
        new ArrayList<>(seconds.getOrDefault(system, Map.of()).getOrDefault(phase, List.of()));
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }
}
