package dev.embedstore.langchain4j;

import dev.embedstore.embed.Role;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run of the ingestion scenario, in its own JVM: langchain4j's {@link EmbeddingStoreIngestor}
 * with a recursive splitter fills a store through a {@link CachedEmbeddingModel} over a counting
 * delegate, then searches. Arguments: the store folder to ingest into, the cache folder, the output
 * file, and optionally a second store folder to search without ingesting. The output has one line
 * per hit ({@code store TAB query TAB text TAB score}) and a last line {@code calls N texts M} with
 * what reached the delegate.
 */
public final class IngestionScenario {
  static final List<String> QUERIES =
      List.of(
          "how does the store avoid embedding a text twice",
          "what happens after a crash",
          "which filters can a search use");

  private IngestionScenario() {}

  /**
   * Runs the scenario.
   *
   * @param args store folder, cache folder, output file[, another store folder to search]
   * @throws IOException if a folder or the output cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path storeFolder = Path.of(args[0]);
    Path cacheFolder = Path.of(args[1]);
    Path out = Path.of(args[2]);
    List<String> lines = new ArrayList<>();
    try (OnnxEmbedder onnx = OnnxEmbedder.open("all-minilm-l6-v2")) {
      CountingDelegate delegate = new CountingDelegate(onnx);
      try (CachedEmbeddingModel model =
              CachedEmbeddingModel.builder().delegate(delegate).cacheFolder(cacheFolder).build();
          EmbedstoreEmbeddingStore store =
              EmbedstoreEmbeddingStore.builder().folder(storeFolder).build()) {
        EmbeddingStoreIngestor.builder()
            .documentSplitter(DocumentSplitters.recursive(200, 20))
            .embeddingModel(model)
            .embeddingStore(store)
            .build()
            .ingest(documents());
        search("ingested", store, model, lines);
        if (args.length > 3) {
          try (EmbedstoreEmbeddingStore other =
              EmbedstoreEmbeddingStore.builder().folder(Path.of(args[3])).build()) {
            search("reopened", other, model, lines);
          }
        }
      }
      lines.add("calls " + delegate.calls.get() + " texts " + delegate.texts.get());
    }
    Files.write(out, lines, StandardCharsets.UTF_8);
  }

  private static void search(
      String label, EmbedstoreEmbeddingStore store, EmbeddingModel model, List<String> lines) {
    for (String q : QUERIES) {
      Embedding e = model.embed(q).content();
      for (EmbeddingMatch<TextSegment> m :
          store
              .search(EmbeddingSearchRequest.builder().queryEmbedding(e).maxResults(3).build())
              .matches()) {
        lines.add(
            String.join(
                "\t",
                label,
                q,
                m.embedded().text().replace('\n', ' '),
                String.format(Locale.ROOT, "%.6f", m.score())));
      }
    }
  }

  static List<Document> documents() {
    String cache =
        "Embedstore keeps every vector the model produces as a stored field in the same Lucene"
            + " index that serves the search. The key of a vector is a digest of the model's"
            + " fingerprint, the namespace, the role and the text, so the same text is never"
            + " embedded twice, and a model change can never serve a stale vector. Re-creating a"
            + " store reads the vectors back from the cache instead of running the model again.";
    String crash =
        "A crash loses at most the batch that was not committed. Lucene commits are atomic, and"
            + " cache entries are written before the chunks that use them, so a committed chunk"
            + " always has its vector. Running the same ingestion again embeds only the texts"
            + " whose vectors were lost, and every other text is served from the cache.";
    String filters =
        "Searches take metadata filters: equality, ranges on numbers and strings, sets of values,"
            + " substrings, and their conjunctions, disjunctions and negations. Filters run inside"
            + " the index before the nearest-neighbour search, so a search for ten hits returns"
            + " ten hits that match, never ten hits of which some match.";
    return List.of(
        Document.from(cache, Metadata.from("file", "cache.txt")),
        Document.from(crash, Metadata.from("file", "crash.txt")),
        Document.from(filters, Metadata.from("file", "filters.txt")));
  }

  /** The bundled model as an uncached langchain4j model that counts what it is asked. */
  static final class CountingDelegate implements EmbeddingModel {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong texts = new AtomicLong();
    private final OnnxEmbedder onnx;

    CountingDelegate(OnnxEmbedder onnx) {
      this.onnx = onnx;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      calls.incrementAndGet();
      texts.addAndGet(segments.size());
      List<String> in = segments.stream().map(TextSegment::text).toList();
      try {
        return Response.from(onnx.embed(in, Role.DOCUMENT).stream().map(Embedding::from).toList());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public int dimension() {
      return onnx.dimension();
    }

    @Override
    public String modelName() {
      return onnx.modelName();
    }
  }
}
