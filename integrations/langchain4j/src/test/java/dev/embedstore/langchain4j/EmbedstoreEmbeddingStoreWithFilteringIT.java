package dev.embedstore.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * langchain4j's own filtering suite, unmodified from its test-jar, on a Lucene store in a folder
 * with the bundled all-MiniLM-L6-v2 model. One store serves every test (cleared before each), so a
 * key meets values of every type over the run, as in the suite's own design.
 */
class EmbedstoreEmbeddingStoreWithFilteringIT extends EmbeddingStoreWithFilteringIT {
  @TempDir static Path folder;
  private static EmbedstoreEmbeddingStore store;
  private static EmbedstoreEmbeddingModel model;

  @BeforeAll
  static void open() throws IOException {
    model = EmbedstoreEmbeddingModel.builder().build();
    store = EmbedstoreEmbeddingStore.builder().folder(folder.resolve("store")).build();
  }

  @AfterAll
  static void close() throws IOException {
    store.close();
    model.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return model;
  }

  @Override
  protected void clearStore() {
    store.removeAll();
  }

  @Override
  protected boolean supportsContains() {
    return true;
  }
}
