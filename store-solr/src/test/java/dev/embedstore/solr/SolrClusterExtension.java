package dev.embedstore.solr;

import dev.embedstore.solr.testing.SolrTestCluster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link SolrTestCluster} per test class: started before the class's first test, stopped after
 * its last. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();
 * }</pre>
 *
 * <p>Tests make collections through {@link #config}; {@link #dropCollections()} deletes every
 * collection (and its configset) the cluster holds, to keep the cluster's memory bounded.
 */
final class SolrClusterExtension implements BeforeAllCallback, AfterAllCallback {
  private SolrTestCluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    String name = context.getRequiredTestClass().getSimpleName();
    cluster = SolrTestCluster.start(SolrTestCluster.freshFolder(name));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The running cluster.
   *
   * @return the cluster
   */
  SolrTestCluster cluster() {
    return cluster;
  }

  /**
   * A store configuration for a collection of this cluster.
   *
   * @param collection the collection
   * @return a builder
   */
  SolrStoreConfig.Builder config(String collection) {
    return SolrStoreConfig.builder(cluster.urls(), collection);
  }

  /**
   * Deletes every collection and every configset but the default one.
   *
   * @throws IOException if the cluster refuses
   */
  void dropCollections() throws IOException {
    try (CloudSolrClient client = new CloudHttp2SolrClient.Builder(cluster.urls()).build()) {
      for (String c : CollectionAdminRequest.listCollections(client)) {
        CollectionAdminRequest.deleteCollection(c).process(client);
      }
      List<String> sets =
          new ArrayList<>(new ConfigSetAdminRequest.List().process(client).getConfigSets());
      for (String s : sets) {
        if (s.startsWith("embedstore.")) {
          new ConfigSetAdminRequest.Delete().setConfigSetName(s).process(client);
        }
      }
    } catch (SolrServerException e) {
      throw new IOException("dropping the test collections failed: " + e.getMessage(), e);
    }
  }
}
