package dev.embedstore.cli;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.lucene.StoreInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code embedstore stats}: what a store holds, read without loading a model. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show what a store holds (no model is loaded).")
final class StatsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    store.requireStore();
    StoreInfo info = LuceneVectorStore.readInfo(store.store);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("documents", info.documents());
    out.put("chunks", info.chunks());
    out.put("cache_entries", info.cacheEntries());
    out.put("model", info.modelName());
    out.put("fingerprint", info.fingerprint());
    out.put("dimension", (long) info.dimension());
    out.put("store_bytes", info.bytes());
    out.put("format", (long) info.format());
    out.put("quantization", info.config().quantization().name().toLowerCase(java.util.Locale.ROOT));
    out.put("hnsw_m", (long) info.config().hnswM());
    out.put("lucene_version", info.luceneVersion());
    out.put("metadata_fields", info.metadataTypes());
    if (json) {
      Json.writeLine(Terminal.out(), out);
    } else {
      out.forEach((k, v) -> Terminal.err().println(k + ": " + v));
    }
    return 0;
  }
}
