package dev.embedstore.cli;

import dev.embedstore.store.StoreInfo;
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
    StoreInfo info = store.info();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("documents", info.documents());
    out.put("chunks", info.chunks());
    out.put("cache_entries", info.cacheEntries());
    out.put("model", info.modelName());
    out.put("fingerprint", info.fingerprint());
    out.put("dimension", (long) info.dimension());
    out.put("store_bytes", info.bytes());
    out.put("format", (long) info.format());
    out.put("backend", info.backend());
    out.putAll(info.details());
    out.put("metadata_fields", info.metadataTypes());
    if (json) {
      Json.writeLine(Terminal.out(), out);
    } else {
      out.forEach((k, v) -> Terminal.out().println(k + ": " + v));
    }
    return 0;
  }
}
