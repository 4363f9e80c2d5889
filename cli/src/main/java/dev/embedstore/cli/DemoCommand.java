package dev.embedstore.cli;

import dev.embedstore.cli.input.IndexInput;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.Quantization;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.SearchRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedstore demo}: indexes this repository's documentation and sources into a temporary
 * store with the default model, searches it, then re-creates the store from its cache.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Index this project's docs and sources, search them, and re-create the store from its"
            + " cache (0 texts embedded).")
final class DemoCommand implements Callable<Integer> {
  static final List<String> QUERIES =
      List.of(
          "how is a cache key derived from the model fingerprint",
          "what happens when a second process opens the store for writing",
          "how does the tokenizer strip accents and split Chinese characters");

  @Option(names = "--keep", description = "Keep the temporary store and print its path.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Terminal.out(); // the demo's story is its result: stdout
    Path root = Path.of(System.getProperty("embedstore.home", ".")).toAbsolutePath().normalize();
    List<String> inputs = new ArrayList<>();
    for (String p :
        List.of(
            "README.md",
            "docs",
            "core/src/main",
            "onnx-embedder/src/main",
            "store-lucene/src/main",
            "cli/src/main")) {
      if (Files.exists(root.resolve(p))) {
        inputs.add(root.resolve(p).toString());
      }
    }
    if (inputs.isEmpty()) {
      throw new CliException(
          "cannot find the project's sources under "
              + root
              + "; run the demo from a clone with ./embedstore demo");
    }
    Path store = Files.createTempDirectory("embedstore-demo-");
    try (OnnxEmbedder model = OnnxEmbedder.bundled(BundledModel.DEFAULT);
        IndexInput in = IndexCommand.read(inputs, false)) {
      out.printf(
          Locale.ROOT,
          "Embedstore demo: %d files of this project, model %s, store %s%n%n",
          in.fileIds().size(),
          model.modelName(),
          store);
      IndexCommand.Summary cold;
      try (LuceneVectorStore s = LuceneVectorStore.open(store, model)) {
        cold = IndexCommand.index(s, model, in, null);
        out.printf(
            Locale.ROOT,
            "1. First build: %d files as %d chunks, %d texts embedded in %.1f s%n%n",
            cold.result().documents(),
            cold.result().chunks(),
            cold.result().embedded(),
            cold.result().nanos() / 1e9);
        for (String q : QUERIES) {
          out.println("search: " + q);
          SearchCommand.print(s.search(SearchRequest.of(q, 3)));
          out.println();
        }
        long deleted = s.deleteAll();
        out.printf(
            Locale.ROOT,
            "2. Deleted all %d documents (their vectors stay in the store's cache).%n",
            deleted);
      }
      try (LuceneVectorStore s = LuceneVectorStore.open(store, model)) {
        IndexCommand.Summary warm = IndexCommand.index(s, model, in, null);
        out.printf(
            Locale.ROOT,
            "3. Re-created the store after a restart: %d chunks, %d texts embedded, %d from the cache, in %.2f s"
                + " (%.0fx faster than the first build)%n",
            warm.result().chunks(),
            warm.result().embedded(),
            warm.result().cacheHits(),
            warm.result().nanos() / 1e9,
            (double) cold.result().nanos() / Math.max(1, warm.result().nanos()));
        long t0 = System.nanoTime();
        long embedded = s.rebuild(s.config().withQuantization(Quantization.INT8));
        out.printf(
            Locale.ROOT,
            "4. Rebuilt the HNSW index with int8 quantisation from the cached vectors: %d texts embedded, %.2f s%n",
            embedded,
            (System.nanoTime() - t0) / 1e9);
        out.println();
        out.println("search after the rebuild: " + QUERIES.get(0));
        SearchCommand.print(s.search(SearchRequest.of(QUERIES.get(0), 3)));
      }
    } finally {
      if (keep) {
        out.println("\nthe store is kept at " + store);
        out.println(
            "search it in your browser: ./embedstore serve --store "
                + store
                + "  then open http://127.0.0.1:8080/");
      } else {
        out.println(
            "\nto search it in your browser, run ./embedstore demo --keep, then"
                + " ./embedstore serve --store <the kept store> and open http://127.0.0.1:8080/");
        deleteTree(store);
      }
    }
    return 0;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
