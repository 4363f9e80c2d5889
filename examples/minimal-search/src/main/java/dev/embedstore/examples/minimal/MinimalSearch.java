package dev.embedstore.examples.minimal;

import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Indexes four documents into a store folder and searches them: Embedstore as a library, in one
 * method.
 *
 * <p>Arguments, all optional: the store folder ({@code target/store}), the query, and the bundled
 * model to open ({@code all-minilm-l6-v2-q}, the one this project depends on; naming another fails
 * with an error that names the artifact to add).
 */
public final class MinimalSearch {
  private MinimalSearch() {}

  /**
   * Runs the example.
   *
   * @param args [store folder] [query] [model]
   * @throws IOException if the store cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path folder = Path.of(args.length > 0 ? args[0] : "target/store");
    String query = args.length > 1 ? args[1] : "How do I look after tomato plants?";
    String model = args.length > 2 ? args[2] : "all-minilm-l6-v2-q";

    List<Document> documents =
        List.of(
            new Document(
                "tomatoes",
                "Water tomato plants at the base in the morning and pinch out side shoots weekly.",
                "Growing tomatoes",
                Map.of("topic", "garden", "year", 2024)),
            new Document(
                "compost",
                "Mix green kitchen scraps with dry leaves and turn the heap every few weeks.",
                "Making compost",
                Map.of("topic", "garden", "year", 2021)),
            new Document(
                "bread",
                "Let the dough rise twice, then bake it in a hot oven with a tray of water.",
                "Baking bread",
                Map.of("topic", "kitchen", "year", 2023)),
            new Document(
                "bicycle",
                "Keep the chain clean and oiled, and check the tyre pressure before a long ride.",
                "Bicycle care",
                Map.of("topic", "workshop", "year", 2024)));

    // The model loads on the first text it embeds; a store keeps every vector it was given, so
    // running this again embeds nothing.
    try (OnnxEmbedder embedder = OnnxEmbedder.open(model);
        LuceneVectorStore store = LuceneVectorStore.open(folder, embedder)) {
      UpsertResult result = store.upsert(documents);
      System.out.printf(
          Locale.ROOT,
          "indexed %d documents with %s: %d embedded, %d from the cache%n",
          result.documents(),
          embedder.modelName(),
          result.embedded(),
          result.cacheHits());

      print("search", store.search(SearchRequest.of(query, 3)));
      Filter recentGarden =
          Filter.and(Filter.eq("topic", "garden"), new Filter.Range("year", 2022, null));
      print(
          "search topic=garden year>=2022",
          store.search(SearchRequest.of(query, 3).withFilter(recentGarden)));
    }
  }

  private static void print(String what, List<SearchHit> hits) {
    System.out.println(what + ": " + hits.size() + " hits");
    for (SearchHit hit : hits) {
      System.out.printf(Locale.ROOT, "%.3f  %s  %s%n", hit.score(), hit.id(), hit.title());
    }
  }
}
