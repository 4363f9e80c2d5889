package dev.embedstore.cli;

import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.lucene.LuceneEmbeddingCache;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.ModelEntries;
import dev.embedstore.lucene.StoreCheck;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.StoreInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embedstore cache}: what the store's embedding cache holds, export, import and gc. */
@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    description = "Inspect, export, import, clean or push the store's embedding cache.",
    subcommands = {
      CacheCommand.Stats.class,
      CacheCommand.Export.class,
      CacheCommand.Import.class,
      CacheCommand.Gc.class,
      CachePushCommand.class
    })
final class CacheCommand implements Runnable {
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "name what to do: cache stats, export, import, gc or push");
  }

  /** {@code cache stats}: entries per model, read without loading a model. */
  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = "Show the cached vectors of each model (no model is loaded).")
  static final class Stats implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.local("cache stats");
      store.requireStore();
      StoreInfo info = store.info();
      List<Map<String, Object>> models = new ArrayList<>();
      long entries = 0;
      for (ModelEntries m : LuceneEmbeddingCache.readEntriesByModel(store.local("cache stats"))) {
        Map<String, Object> line = new LinkedHashMap<>();
        boolean current = m.fingerprint().hex().equals(info.fingerprint());
        line.put("fingerprint", m.fingerprint().hex());
        line.put("model", current ? info.modelName() : null);
        line.put("current", current);
        line.put("document_vectors", m.documents());
        line.put("query_vectors", m.queries());
        line.put("dimension", (long) m.dimension());
        models.add(line);
        entries += m.entries();
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("cache_entries", entries);
      out.put("documents", info.documents());
      out.put("chunks", info.chunks());
      out.put("store_bytes", info.bytes());
      out.put("models", models);
      if (json) {
        Json.writeLine(Terminal.out(), out);
        return 0;
      }
      Terminal.out()
          .printf(
              Locale.ROOT,
              "%d cached vectors for %d chunks of %d documents (%,d bytes on disk)%n",
              entries,
              info.chunks(),
              info.documents(),
              info.bytes());
      for (Map<String, Object> m : models) {
        Terminal.out()
            .printf(
                Locale.ROOT,
                "  %s  %s: %d document vectors, %d query vectors, dimension %d%n",
                String.valueOf(m.get("fingerprint")).substring(0, 12),
                m.get("model") == null ? "another model" : m.get("model") + " (this store's)",
                m.get("document_vectors"),
                m.get("query_vectors"),
                m.get("dimension"));
      }
      return 0;
    }
  }

  /** {@code cache export}: one model's vectors to .npy and a keys file. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write one model's cached vectors to a .npy file (float32 [n, dim], for numpy.load) and"
            + " their cache keys to a .keys file beside it. No model is loaded.",
      })
  static final class Export implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE.npy",
        description = "The .npy file; the keys go to FILE.keys beside it.")
    Path out;

    @Option(
        names = "--fingerprint",
        paramLabel = "HEX",
        description = "The model whose vectors to export (default: the store's; see cache stats).")
    String fingerprint;

    @Option(
        names = "--salvage",
        description =
            "The store is damaged: copy it aside, drop the damaged segments from the copy and"
                + " export the vectors of the rest (the store is not modified).")
    boolean salvage;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.local("cache export");
      store.requireStore();
      if (!out.getFileName().toString().endsWith(".npy")) {
        throw CliException.usage("--out must name a .npy file; got " + out);
      }
      ModelFingerprint fp;
      try {
        fp = fingerprint == null ? null : ModelFingerprint.ofHex(fingerprint);
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--fingerprint must be 64 hex digits; got " + fingerprint);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      if (salvage) {
        StoreCheck.Salvage s = StoreCheck.salvageVectors(store.local("cache export"), fp, out);
        result.put("exported", s.exported());
        result.put("dropped_segments", s.droppedSegments());
        result.put("lost_entries_and_chunks", s.lostEntriesAndChunks());
      } else {
        if (fp == null) {
          fp = ModelFingerprint.ofHex(store.info().fingerprint());
        }
        result.put(
            "exported", LuceneEmbeddingCache.exportVectors(store.local("cache export"), fp, out));
      }
      Path keys = LuceneEmbeddingCache.keysFileOf(out);
      result.put("npy", out.toString());
      result.put("keys", keys.toString());
      if (json) {
        Json.writeLine(Terminal.out(), result);
      } else {
        Terminal.out()
            .println("exported " + result.get("exported") + " vectors to " + out + " and " + keys);
        if (salvage) {
          Terminal.out()
              .println(
                  "damaged segments left out: "
                      + result.get("dropped_segments")
                      + " ("
                      + result.get("lost_entries_and_chunks")
                      + " entries and chunks)");
        }
      }
      return 0;
    }
  }

  /** {@code cache import}: vectors from an export into this store's cache. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Put vectors exported by 'cache export' (FILE.npy with FILE.keys beside it) into the"
            + " store's cache; indexing the same texts with the same model then embeds nothing.",
      })
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.npy", description = "The exported .npy file.")
    Path npy;

    @Mixin StoreOptions store;

    @Option(names = "--json", description = "Print {\"imported\": N} on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.local("cache import");
      long n;
      try (OnnxEmbedder model = store.openModel();
          LuceneVectorStore s = store.openLucene(model, "cache import")) {
        n = s.importVectors(npy);
      }
      if (json) {
        Json.writeLine(Terminal.out(), Map.of("imported", n));
      } else {
        Terminal.out().println("imported " + n + " vectors into " + store.describe());
      }
      return 0;
    }
  }

  /** {@code cache gc}: removes document vectors no stored chunk uses. */
  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "Remove the store's model's document vectors that no stored chunk uses (left by deletes"
            + " and edits). Query vectors and other models' vectors are kept.",
      })
  static final class Gc implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--json", description = "Print {\"removed\": N} on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.local("cache gc");
      store.requireStore();
      long n;
      try (OnnxEmbedder model = store.openModel();
          LuceneVectorStore s = store.openLucene(model, "cache gc")) {
        n = s.gc();
      }
      if (json) {
        Json.writeLine(Terminal.out(), Map.of("removed", n));
      } else {
        Terminal.out().println("removed " + n + " unused vectors from " + store.describe());
      }
      return 0;
    }
  }
}
