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
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link SolrTestCluster} shared by every test class of the test run that registers this
 * extension: started before the first such class, stopped when the run ends (JUnit closes it with
 * its root context). Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();
 * }</pre>
 *
 * <p>Tests make collections through {@link #config}; {@link #dropCollections()} deletes every
 * collection (and its configset) the cluster holds, to keep the cluster's memory bounded and each
 * test's collections its own. Tests that stop nodes or restart the cluster start their own.
 */
final class SolrClusterExtension implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SolrClusterExtension.class);

  private SolrTestCluster cluster;

  /** The shared cluster, closed by JUnit at the end of the run. */
  private record Shared(SolrTestCluster cluster) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      cluster.close();
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .computeIfAbsent(
                "cluster",
                k -> {
                  try {
                    return new Shared(
                        SolrTestCluster.start(SolrTestCluster.freshFolder("shared-cluster")));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                Shared.class)
            .cluster();
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
   * Deletes every collection and every configset the stores made.
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
