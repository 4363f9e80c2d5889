package dev.embedstore.cli;

import dev.embedstore.cli.input.IndexInput;
import dev.embedstore.embed.Role;
import dev.embedstore.eval.Qrels;
import dev.embedstore.eval.RetrievalMetrics;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.server.input.InputRecord;
import dev.embedstore.server.input.JsonlReader;
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

/**
 * {@code embedstore eval}: builds (or updates) a store from a BEIR dataset and scores retrieval as
 * MTEB does: nDCG@10, recall@100, MRR@10 over the split's judged queries.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate retrieval on a BEIR dataset folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).")
final class EvalCommand implements Callable<Integer> {
  @Option(
      names = "--beir",
      required = true,
      paramLabel = "DIR",
      description = "The BEIR dataset folder.")
  Path beir;

  @Mixin StoreOptions store;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "NAME",
      description = "The qrels split (default test).")
  String split;

  @Mixin ModeOption mode;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path corpus = beir.resolve("corpus.jsonl");
    Path queriesFile = beir.resolve("queries.jsonl");
    Path qrelsFile = beir.resolve("qrels").resolve(split + ".tsv");
    for (Path p : List.of(corpus, queriesFile, qrelsFile)) {
      if (!Files.isRegularFile(p)) {
        throw new CliException(
            "no "
                + beir.relativize(p)
                + " in "
                + beir
                + " (a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/"
                + split
                + ".tsv)");
      }
    }
    SearchMode m = mode.parse();
    Qrels qrels = Qrels.readTsv(qrelsFile);
    long t0 = System.nanoTime();
    // Query vectors are kept in the store: a second run embeds only queries it has not seen.
    try (OnnxEmbedder model = store.openModel();
        VectorStore s = store.open(model, true, null);
        IndexInput in = IndexCommand.read(List.of(corpus.toString()), false)) {
      if (in.firstMalformed() != null) {
        throw new CliException(in.firstMalformed().toString());
      }
      IndexCommand.Summary indexed = IndexCommand.index(s, model, in, null);
      Terminal.err()
          .printf(
              Locale.ROOT,
              "corpus: %d documents, %d embedded, %d from the cache, %d truncated (%.1f s)%n",
              indexed.result().documents(),
              indexed.result().embedded(),
              indexed.result().cacheHits(),
              indexed.truncated(),
              indexed.result().nanos() / 1e9);

      List<String> ids = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      try (JsonlReader r =
          new JsonlReader(Files.newInputStream(queriesFile), queriesFile.toString(), true)) {
        for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
          if (line instanceof JsonlReader.Line.Ok ok) {
            InputRecord q = ok.record();
            if (qrels.judgements().containsKey(q.id())) {
              ids.add(q.id());
              texts.add(q.text());
            }
          }
        }
      }
      long q0 = System.nanoTime();
      long embeddedBefore = s.embedderStats().embedded();
      s.embed(texts, Role.QUERY); // one batched model call; searches then hit the cache
      Map<String, List<String>> results = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        List<String> ranked = new ArrayList<>();
        for (SearchHit h : s.search(new SearchRequest(texts.get(i), 100, m, null, 2))) {
          ranked.add(h.id());
        }
        results.put(ids.get(i), ranked);
      }
      long queriesEmbedded = s.embedderStats().embedded() - embeddedBefore;
      double querySeconds = (System.nanoTime() - q0) / 1e9;
      RetrievalMetrics.Scores scores = RetrievalMetrics.score(qrels, results);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("ndcg@10", scores.ndcgAt10());
      out.put("recall@100", scores.recallAt100());
      out.put("mrr@10", scores.mrrAt10());
      out.put("queries", (long) scores.queries());
      out.put("model", model.modelName());
      out.put("documents_embedded", indexed.result().embedded());
      out.put("queries_embedded", queriesEmbedded);
      out.put("query_seconds", querySeconds);
      out.put("seconds", (System.nanoTime() - t0) / 1e9);
      if (json) {
        Json.writeLine(Terminal.out(), out);
      } else {
        Terminal.out()
            .printf(
                Locale.ROOT,
                "%s on %s (%s, %d queries): nDCG@10 %.5f  recall@100 %.5f  MRR@10 %.5f%n",
                model.modelName(),
                beir,
                split,
                scores.queries(),
                scores.ndcgAt10(),
                scores.recallAt100(),
                scores.mrrAt10());
      }
    }
    return 0;
  }
}
