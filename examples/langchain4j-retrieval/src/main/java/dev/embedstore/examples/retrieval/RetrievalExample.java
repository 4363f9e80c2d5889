package dev.embedstore.examples.retrieval;

import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.langchain4j.EmbedstoreEmbeddingModel;
import dev.embedstore.langchain4j.EmbedstoreEmbeddingStore;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.loader.FileSystemDocumentLoader;
import dev.langchain4j.data.document.parser.TextDocumentParser;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Indexes a folder of text files with langchain4j and Embedstore, then answers a question with the
 * best segments. Every vector is kept in a cache folder, so running it again embeds nothing.
 *
 * <p>Arguments: the folder of text files, a working folder (the index and the vectors go there),
 * and the question.
 */
public final class RetrievalExample {
  private RetrievalExample() {}

  public static void main(String[] args) throws IOException {
    Path docs = Path.of(args.length > 0 ? args[0] : "docs");
    Path work = Path.of(args.length > 1 ? args[1] : "target/embedstore");
    String question = args.length > 2 ? args[2] : "How do I keep tomato plants healthy?";

    List<Document> documents =
        FileSystemDocumentLoader.loadDocuments(docs, new TextDocumentParser());
    try (EmbedstoreEmbeddingModel model =
            EmbedstoreEmbeddingModel.builder()
                .model("all-minilm-l6-v2")
                .cacheFolder(work.resolve("vectors"))
                .build();
        EmbedstoreEmbeddingStore store =
            EmbedstoreEmbeddingStore.builder()
                .folder(work.resolve("index"))
                .modelName(model.modelName())
                .build()) {
      // Rebuild the index on every run: the model is only asked for texts it never embedded.
      store.removeAll();
      EmbeddingStoreIngestor.builder()
          .documentSplitter(DocumentSplitters.recursive(300, 30))
          .embeddingModel(model)
          .embeddingStore(store)
          .build()
          .ingest(documents);
      CachedEmbedder.Stats stats = model.stats();
      System.out.printf(
          "indexed %d segments from %d files: %d embedded, %d from the cache%n",
          stats.hits() + stats.misses(),
          documents.size(),
          stats.embedded(),
          stats.hits());

      System.out.println("question: " + question);
      EmbeddingSearchRequest request =
          EmbeddingSearchRequest.builder()
              .queryEmbedding(model.embed(question).content())
              .maxResults(3)
              .build();
      for (EmbeddingMatch<TextSegment> match : store.search(request).matches()) {
        System.out.printf(
            "%.3f  %s: %s%n",
            match.score(),
            match.embedded().metadata().getString("file_name"),
            match.embedded().text().replace('\n', ' '));
      }
    }
  }
}
