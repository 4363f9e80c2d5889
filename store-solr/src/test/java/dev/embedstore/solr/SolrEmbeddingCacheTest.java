package dev.embedstore.solr;

import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.testing.BaseEmbeddingCacheTestCase;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cache contract ({@link BaseEmbeddingCacheTestCase}) against a real SolrCloud cluster: each
 * test's cache is a fresh collection of 2 shards.
 */
class SolrEmbeddingCacheTest extends BaseEmbeddingCacheTestCase {
  @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();

  private static final AtomicInteger COLLECTIONS = new AtomicInteger();

  @Override
  protected EmbeddingCache newCache() throws IOException {
    CLUSTER.dropCollections(); // the previous test's cache is closed by now
    String name = "cache" + COLLECTIONS.incrementAndGet();
    return SolrEmbeddingCache.open(CLUSTER.config(name).shards(2).replicationFactor(1).build());
  }

  @Override
  protected void commit(EmbeddingCache cache) throws IOException {
    ((SolrEmbeddingCache) cache).commit();
  }
}
