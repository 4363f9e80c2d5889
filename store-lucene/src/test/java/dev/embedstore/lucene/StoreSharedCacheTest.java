package dev.embedstore.lucene;

import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.testing.BaseEmbeddingCacheTestCase;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache inside a store, which shares the store's writer and serves puts from memory until the
 * searcher is refreshed, against the cache contract (the standalone cache has its own test).
 */
class StoreSharedCacheTest extends BaseEmbeddingCacheTestCase {
  @TempDir Path dir;
  private LuceneVectorStore store;

  @Override
  protected EmbeddingCache newCache() throws IOException {
    store = LuceneVectorStore.open(dir.resolve("store"), new FakeEmbedder("owner", 8));
    return store.sharedCache();
  }

  @Override
  protected void commit(EmbeddingCache cache) throws IOException {
    store.commit();
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }
}
