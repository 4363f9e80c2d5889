package dev.embedstore.cli;

import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.input.FilterSyntax;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonlReader;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embedstore search}: one query, or a file of queries. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = "Search a store by meaning (vector), words (keyword) or both (hybrid).")
final class SearchCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", paramLabel = "QUERY", description = "The query text.")
  String query;

  @Mixin StoreOptions store;

  @Option(
      names = "-k",
      defaultValue = "10",
      paramLabel = "N",
      description = "Hits to return (default 10).")
  int k;

  @Option(
      names = "--filter",
      paramLabel = "FIELD=VALUE",
      description =
          "Keep documents whose metadata FIELD equals VALUE; also FIELD>=N, FIELD<=N. Repeatable.")
  List<String> filters = new ArrayList<>();

  @Mixin ModeOption mode;

  @Option(
      names = "--queries",
      paramLabel = "FILE.jsonl",
      description = "Run every query of a JSONL file; prints one JSON line per query.")
  Path queries;

  @Option(names = "--json", description = "Print JSON on stdout.")
  boolean json;

  @Option(
      names = "--oversample",
      paramLabel = "N",
      description =
          "Graph candidates kept per hit wanted (k' = k * N; default "
              + SearchRequest.DEFAULT_OVERSAMPLE
              + "): more finds the true nearest neighbours more often, and is slower.")
  int oversample = SearchRequest.DEFAULT_OVERSAMPLE;

  @Override
  public Integer call() throws Exception {
    if (k < 1) {
      throw CliException.usage("-k must be at least 1; got " + k);
    }
    if (oversample < 1) {
      throw CliException.usage("--oversample must be at least 1; got " + oversample);
    }
    SearchMode m = mode.parse();
    if ((query == null) == (queries == null)) {
      throw CliException.usage("give a QUERY or --queries FILE, not both or neither");
    }
    store.requireStore();
    Filter filter = parseFilters(filters);
    try (OnnxEmbedder model = store.openModel();
        VectorStore s = store.openForSearch(model)) {
      if (queries != null) {
        try (JsonlReader r =
            new JsonlReader(Files.newInputStream(queries), queries.toString(), true)) {
          for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
            if (line instanceof JsonlReader.Line.Bad bad) {
              throw new CliException(bad.problem().toString());
            }
            InputRecord q = ((JsonlReader.Line.Ok) line).record();
            List<SearchHit> hits = s.search(new SearchRequest(q.text(), k, m, filter, oversample));
            List<Map<String, Object>> list = new ArrayList<>();
            for (SearchHit h : hits) {
              Map<String, Object> o = new LinkedHashMap<>();
              o.put("id", h.id());
              o.put("score", (double) h.score());
              list.add(o);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("query_id", q.id());
            out.put("hits", list);
            Json.writeLine(Terminal.out(), out);
          }
        }
        return 0;
      }
      long t0 = System.nanoTime();
      List<SearchHit> hits = s.search(new SearchRequest(query, k, m, filter, oversample));
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (json) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SearchHit h : hits) {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("id", h.id());
          o.put("score", (double) h.score());
          o.put("chunk", (long) h.chunk());
          o.put("text", h.text());
          o.put("metadata", h.metadata());
          list.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hits", list);
        out.put("seconds", seconds);
        Json.writeLine(Terminal.out(), out);
      } else {
        print(hits);
      }
    }
    return 0;
  }

  static void print(List<SearchHit> hits) {
    int i = 0;
    for (SearchHit h : hits) {
      i++;
      String text = h.text().strip().replaceAll("\\s+", " ");
      if (text.length() > 160) {
        text = text.substring(0, 157) + "...";
      }
      Terminal.out()
          .printf(
              Locale.ROOT,
              "%2d. %.3f  %s%s%n      %s%n",
              i,
              h.score(),
              h.id(),
              h.chunk() > 0 ? " #" + h.chunk() : "",
              text);
    }
    if (hits.isEmpty()) {
      Terminal.out().println("no hits");
    }
  }

  static Filter parseFilters(List<String> specs) throws CliException {
    try {
      return FilterSyntax.parse(specs);
    } catch (IllegalArgumentException e) {
      // The messages read after the option's name: "--filter takes ...", "--filter a>=x: ...".
      throw CliException.usage("--filter " + e.getMessage());
    }
  }
}
