package dev.embedstore.cli;

import dev.embedstore.lucene.StoreCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedstore check}: Lucene's CheckIndex plus the store's own checks; exit 1 on a problem.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a store; exit 1 naming each problem (no model is loaded).",
      "Runs Lucene's CheckIndex on every segment, then checks the store's format and model record"
          + " and every stored chunk's vector against its cache entry. Exit 0 when the store is"
          + " sound, 1 when not, with one 'error:' line per problem on stderr.",
    })
final class CheckCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, paramLabel = "DIR", description = "The store folder.")
  java.nio.file.Path store;

  @Option(
      names = "--slow",
      description = "Also run Lucene's slow checks (every posting and vector).")
  boolean slow;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    StoreCheck.Report r = StoreCheck.check(store, slow);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("sound", r.sound());
      out.put("problems", r.problems());
      out.put("segments", (long) r.segments());
      out.put("documents", r.documents());
      out.put("chunks", r.chunks());
      out.put("cache_entries", r.cacheEntries());
      out.put("seconds", seconds);
      Json.writeLine(Terminal.out(), out);
    }
    if (r.sound()) {
      if (!json) {
        Terminal.out()
            .printf(
                java.util.Locale.ROOT,
                "store %s is sound: %d segments, %d documents, %d chunks checked against the"
                    + " cache, %d cache entries (%.1f s)%n",
                store,
                r.segments(),
                r.documents(),
                r.chunks(),
                r.cacheEntries(),
                seconds);
      }
      return 0;
    }
    for (String p : r.problems()) {
      Terminal.err().println("error: " + p);
    }
    Terminal.err()
        .println(
            "store "
                + store
                + " has "
                + r.problems().size()
                + " problem(s); its cached vectors can be saved with: embedstore cache export"
                + " --salvage --store "
                + store
                + " --out vectors.npy");
    return CliException.FAILURE;
  }
}
