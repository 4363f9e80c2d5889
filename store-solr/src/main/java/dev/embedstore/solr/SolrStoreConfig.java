package dev.embedstore.solr;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a Solr store lives and how it is created: the cluster's node URLs, the collection, and the
 * settings used when the store creates the collection (shards, replication factor, HNSW).
 *
 * <pre>{@code
 * SolrStoreConfig config =
 *     SolrStoreConfig.builder(List.of("http://solr1:8983/solr", "http://solr2:8983/solr"), "docs")
 *         .shards(2)
 *         .replicationFactor(2)
 *         .build();
 * }</pre>
 *
 * <p>The client finds the cluster through any of the URLs (over HTTP; no ZooKeeper access is
 * needed). Shards, replication factor and HNSW settings apply only when the collection is created;
 * an existing collection keeps its own. Immutable and thread-safe.
 */
public final class SolrStoreConfig {
  /** Texts embedded between commits during an upsert, by default. */
  public static final int DEFAULT_COMMIT_INTERVAL = 1024;

  // Solr's rule for collection names (SolrIdentifierValidator).
  private static final Pattern NAME = Pattern.compile("[._A-Za-z0-9][._A-Za-z0-9-]*");

  private final List<String> solrUrls;
  private final String collection;
  private final int shards;
  private final int replicationFactor;
  private final int commitInterval;
  private final int hnswM;
  private final int beamWidth;
  private final Duration requestTimeout;
  private final boolean persistQueries;

  private SolrStoreConfig(Builder b) {
    this.solrUrls = b.solrUrls;
    this.collection = b.collection;
    this.shards = b.shards;
    this.replicationFactor = b.replicationFactor;
    this.commitInterval = b.commitInterval;
    this.hnswM = b.hnswM;
    this.beamWidth = b.beamWidth;
    this.requestTimeout = b.requestTimeout;
    this.persistQueries = b.persistQueries;
  }

  /**
   * Starts a configuration.
   *
   * @param solrUrls base URLs of one or more of the cluster's nodes, such as {@code
   *     http://127.0.0.1:8983/solr}
   * @param collection the collection's name: letters, digits, {@code .}, {@code _} and {@code -},
   *     not starting with {@code -}
   * @return a builder with the defaults: 2 shards, replication factor 2, HNSW M 16 and beam width
   *     100, a commit every {@value #DEFAULT_COMMIT_INTERVAL} embedded texts, 60 s per request
   * @throws IllegalArgumentException if a URL is not an http(s) URL or the name is not allowed
   */
  public static Builder builder(List<String> solrUrls, String collection) {
    return new Builder(solrUrls, collection);
  }

  /**
   * The node URLs the client starts from.
   *
   * @return the URLs
   */
  public List<String> solrUrls() {
    return solrUrls;
  }

  /**
   * The collection.
   *
   * @return its name
   */
  public String collection() {
    return collection;
  }

  /**
   * The number of shards of a collection the store creates.
   *
   * @return the shards
   */
  public int shards() {
    return shards;
  }

  /**
   * The replicas per shard of a collection the store creates.
   *
   * @return the replication factor
   */
  public int replicationFactor() {
    return replicationFactor;
  }

  /**
   * Texts embedded between commits during an upsert: a crash of the client loses at most this much
   * model work.
   *
   * @return the interval
   */
  public int commitInterval() {
    return commitInterval;
  }

  /**
   * The HNSW graph's maximum connections per node, for a collection the store creates.
   *
   * @return M
   */
  public int hnswM() {
    return hnswM;
  }

  /**
   * The HNSW build beam width, for a collection the store creates.
   *
   * @return the beam width
   */
  public int beamWidth() {
    return beamWidth;
  }

  /**
   * How long one request to the cluster may take.
   *
   * @return the timeout
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Whether query vectors are kept in the cluster's cache (else in memory only).
   *
   * @return whether they are persisted
   */
  public boolean persistQueries() {
    return persistQueries;
  }

  /**
   * Where the store lives, for messages: {@code collection NAME at URL[,URL]}.
   *
   * @return the description
   */
  public String describe() {
    return "Solr collection " + collection + " at " + String.join(",", solrUrls);
  }

  @Override
  public String toString() {
    return "SolrStoreConfig["
        + describe()
        + ", shards="
        + shards
        + ", rf="
        + replicationFactor
        + "]";
  }

  /** Configures a {@link SolrStoreConfig}. Not thread-safe. */
  public static final class Builder {
    private final List<String> solrUrls;
    private final String collection;
    private int shards = 2;
    private int replicationFactor = 2;
    private int commitInterval = DEFAULT_COMMIT_INTERVAL;
    private int hnswM = 16;
    private int beamWidth = 100;
    private Duration requestTimeout = Duration.ofSeconds(60);
    private boolean persistQueries;

    private Builder(List<String> solrUrls, String collection) {
      Objects.requireNonNull(solrUrls, "solrUrls");
      Objects.requireNonNull(collection, "collection");
      if (solrUrls.isEmpty()) {
        throw new IllegalArgumentException("a Solr store needs at least one node URL");
      }
      List<String> urls = new ArrayList<>();
      for (String u : solrUrls) {
        Objects.requireNonNull(u, "solrUrls element");
        URI uri;
        try {
          uri = URI.create(u.strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("not a URL: " + u + " (" + e.getMessage() + ")", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          throw new IllegalArgumentException(
              "a Solr node URL looks like http://host:8983/solr; got " + u);
        }
        String s = uri.toString();
        urls.add(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
      }
      if (!NAME.matcher(collection).matches()) {
        throw new IllegalArgumentException(
            "a Solr collection name takes letters, digits, '.', '_' and '-' (not first); got \""
                + collection
                + "\"");
      }
      this.solrUrls = List.copyOf(urls);
      this.collection = collection;
    }

    /**
     * The number of shards when the store creates the collection.
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder shards(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("shards must be >= 1; shards=" + n);
      }
      this.shards = n;
      return this;
    }

    /**
     * The replicas per shard when the store creates the collection.
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder replicationFactor(int n) {
      if (n < 1) {
        throw new IllegalArgumentException(
            "replicationFactor must be >= 1; replicationFactor=" + n);
      }
      this.replicationFactor = n;
      return this;
    }

    /**
     * Texts embedded between commits during an upsert.
     *
     * @param texts at least 1
     * @return this builder
     */
    public Builder commitInterval(int texts) {
      if (texts < 1) {
        throw new IllegalArgumentException("commitInterval must be >= 1; commitInterval=" + texts);
      }
      this.commitInterval = texts;
      return this;
    }

    /**
     * The HNSW settings when the store creates the collection.
     *
     * @param m maximum connections per node, 2 to 512
     * @param beamWidth the build beam width, 1 to 3200
     * @return this builder
     */
    public Builder hnsw(int m, int beamWidth) {
      if (m < 2 || m > 512) {
        throw new IllegalArgumentException("hnswM must be in [2, 512]; hnswM=" + m);
      }
      if (beamWidth < 1 || beamWidth > 3200) {
        throw new IllegalArgumentException(
            "beamWidth must be in [1, 3200]; beamWidth=" + beamWidth);
      }
      this.hnswM = m;
      this.beamWidth = beamWidth;
      return this;
    }

    /**
     * How long one request may take.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive; got " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Keeps query vectors in the cluster's cache too, so they survive restarts.
     *
     * @param persist whether to
     * @return this builder
     */
    public Builder persistQueries(boolean persist) {
      this.persistQueries = persist;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public SolrStoreConfig build() {
      return new SolrStoreConfig(this);
    }
  }
}
