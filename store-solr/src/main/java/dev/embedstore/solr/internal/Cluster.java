package dev.embedstore.solr.internal;

import dev.embedstore.solr.SolrStoreConfig;
import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrResponse;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.common.util.NamedList;

/**
 * One collection of a SolrCloud cluster, reached with SolrJ's cloud client over HTTP: requests with
 * every failure turned into an {@link IOException} that names the collection, the cluster and the
 * operation.
 *
 * <p>Queries and real-time gets go as POST requests (a query vector or a batch of keys does not fit
 * in a URL). The cloud client routes updates to shard leaders, spreads reads over live replicas,
 * and refreshes its view of the cluster when a node goes away; a read that fails on the way (not
 * one the server refuses as bad) is sent again, up to {@value #READ_ATTEMPTS} times in all.
 *
 * <p>Thread-safe. The owner closes it.
 */
public final class Cluster implements Closeable {
  private final CloudSolrClient client;
  private final String collection;
  private final String name;

  private Cluster(CloudSolrClient client, String collection, String name) {
    this.client = client;
    this.collection = collection;
    this.name = name;
  }

  /**
   * Connects to a cluster. Nothing is sent until the first request.
   *
   * @param config the configuration
   * @return the connection
   */
  public static Cluster connect(SolrStoreConfig config) {
    long timeout = config.requestTimeout().toMillis();
    Http2SolrClient.Builder http =
        new Http2SolrClient.Builder()
            .withConnectionTimeout(Math.min(timeout, 15_000), TimeUnit.MILLISECONDS)
            .withIdleTimeout(timeout, TimeUnit.MILLISECONDS)
            .withRequestTimeout(timeout, TimeUnit.MILLISECONDS);
    CloudSolrClient client =
        new CloudHttp2SolrClient.Builder(config.solrUrls()).withHttpClientBuilder(http).build();
    return new Cluster(client, config.collection(), config.describe());
  }

  /**
   * The collection's name.
   *
   * @return the name
   */
  public String collection() {
    return collection;
  }

  /**
   * The collection and cluster, for messages: {@code Solr collection NAME at URLS}.
   *
   * @return the description
   */
  public String name() {
    return name;
  }

  /**
   * The SolrJ client, for requests this class has no helper for.
   *
   * @return the client
   */
  public CloudSolrClient client() {
    return client;
  }

  /**
   * Runs a search on the collection.
   *
   * @param what the operation, for messages
   * @param params the request
   * @return the response
   * @throws IOException naming the collection and the operation
   */
  public QueryResponse query(String what, SolrParams params) throws IOException {
    return query(what, "/select", params);
  }

  private QueryResponse query(String what, String path, SolrParams params) throws IOException {
    QueryRequest r = new QueryRequest(params, SolrRequest.METHOD.POST);
    r.setPath(path);
    // Reads change nothing, so a read that met a replica going away (its connection reset, or a
    // response cut short that SolrJ reports as a "parsing error") is sent again: the cloud client
    // routes the retry to another live replica once the cluster state shows the node gone. A
    // request the server refused as bad (4xx) is not retried.
    for (int attempt = 1; ; attempt++) {
      try {
        return r.process(client, collection);
      } catch (SolrServerException | SolrException | IOException e) {
        if (attempt >= READ_ATTEMPTS || !transientFailure(e)) {
          throw failure(what, e);
        }
        pause(attempt);
      }
    }
  }

  /** How many times a read is sent before its failure is reported. */
  static final int READ_ATTEMPTS = 4;

  private static boolean transientFailure(Exception e) {
    if (e instanceof SolrException s) {
      int code = s.code();
      return code < 400 || code >= 500;
    }
    return true;
  }

  @SuppressForbidden(reason = "a retry's back-off waits for time to pass, not for a condition")
  private static void pause(int attempt) throws IOException {
    try {
      Thread.sleep(100L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while retrying a read");
    }
  }

  /**
   * Reads documents by id with real-time get: the latest version of each, committed or not.
   *
   * @param what the operation, for messages
   * @param ids the Solr ids
   * @param fields the fields to return
   * @return the documents found, in no particular order
   * @throws IOException naming the collection and the operation
   */
  public SolrDocumentList get(String what, Collection<String> ids, String fields)
      throws IOException {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("ids", String.join(",", ids));
    p.set("fl", fields);
    SolrDocumentList docs = query(what, "/get", p).getResults();
    return docs == null ? new SolrDocumentList() : docs;
  }

  /**
   * Sends an update (adds and deletes) without committing it.
   *
   * @param what the operation, for messages
   * @param update the update
   * @throws IOException naming the collection and the operation
   */
  public void update(String what, UpdateRequest update) throws IOException {
    request(what, update);
  }

  /**
   * Commits the collection: what was sent becomes durable in the index and visible to searches.
   *
   * @throws IOException naming the collection
   */
  public void commit() throws IOException {
    UpdateRequest u = new UpdateRequest();
    u.setAction(UpdateRequest.ACTION.COMMIT, true, true);
    request("commit", u);
  }

  /**
   * Sends any request to the collection.
   *
   * @param what the operation, for messages
   * @param r the request
   * @return the response
   * @throws IOException naming the collection and the operation
   */
  public NamedList<Object> request(String what, SolrRequest<?> r) throws IOException {
    try {
      return client.request(r, collection);
    } catch (SolrServerException | SolrException | IOException e) {
      throw failure(what, e);
    }
  }

  /**
   * Sends a request to the collection and returns its typed response.
   *
   * @param what the operation, for messages
   * @param r the request
   * @param <T> the response type
   * @return the response
   * @throws IOException naming the collection and the operation
   */
  public <T extends SolrResponse> T process(String what, SolrRequest<T> r) throws IOException {
    try {
      return r.process(client, collection);
    } catch (SolrServerException | SolrException | IOException e) {
      throw failure(what, e);
    }
  }

  /**
   * Sends a request that is not about the collection (collections and configsets API).
   *
   * @param what the operation, for messages
   * @param r the request
   * @return the response
   * @throws IOException naming the cluster and the operation
   */
  public NamedList<Object> admin(String what, SolrRequest<?> r) throws IOException {
    try {
      return client.request(r);
    } catch (SolrServerException | SolrException | IOException e) {
      throw failure(what, e);
    }
  }

  /**
   * The failure of an operation as the caller sees it.
   *
   * @param what the operation
   * @param e what went wrong
   * @return an exception whose message starts {@code Solr collection NAME at URLS: what failed:}
   */
  public IOException failure(String what, Exception e) {
    String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new IOException(name + ": " + what + " failed: " + cause, e);
  }

  /**
   * The names of the cluster's collections.
   *
   * @return the names
   * @throws IOException naming the cluster
   */
  public List<String> collections() throws IOException {
    try {
      return org.apache.solr.client.solrj.request.CollectionAdminRequest.listCollections(client);
    } catch (SolrServerException | SolrException | IOException e) {
      throw failure("listing the collections", e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
