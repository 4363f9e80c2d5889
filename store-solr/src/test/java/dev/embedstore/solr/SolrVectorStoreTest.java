package dev.embedstore.solr;

import dev.embedstore.embed.Embedder;
import dev.embedstore.store.VectorStore;
import dev.embedstore.testing.BaseVectorStoreTestCase;
import java.io.IOException;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract ({@link BaseVectorStoreTestCase}) against a real SolrCloud cluster: 2 nodes,
 * each store a collection of 2 shards (one replica each), so every search and filter spans shards.
 */
class SolrVectorStoreTest extends BaseVectorStoreTestCase {
  @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();

  private String test;

  @BeforeEach
  void name(TestInfo info) throws IOException {
    CLUSTER.dropCollections(); // the previous test's, whose stores are closed by now
    test = info.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    if (test.length() > 40) {
      test = test.substring(0, 40);
    }
  }

  @Override
  protected VectorStore openStore(String name, Embedder model) throws IOException {
    return SolrVectorStore.open(
        CLUSTER.config(test + "_" + name).shards(2).replicationFactor(1).build(), model);
  }
}
