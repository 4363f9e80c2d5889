package dev.embedstore.solr;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.cache.VectorDimensions;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.solr.internal.Binary;
import dev.embedstore.solr.internal.Cluster;
import dev.embedstore.solr.internal.CollectionSetup;
import dev.embedstore.solr.internal.Fields;
import dev.embedstore.solr.internal.FilterQueries;
import dev.embedstore.solr.internal.Pages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.NamedList;

/**
 * An {@link EmbeddingCache} kept in a SolrCloud collection: each entry is one Solr document whose
 * id is the key, with the vector bit-exact as float32 little-endian bytes in a stored binary field
 * (never indexed, so any change of the collection's vector settings leaves it as it was).
 *
 * <pre>{@code
 * try (SolrEmbeddingCache cache =
 *         SolrEmbeddingCache.open(SolrStoreConfig.builder(urls, "team-cache").build());
 *     CachedEmbedder embedder = CachedEmbedder.builder(model, cache).build()) {
 *   embedder.embed(texts, Role.DOCUMENT); // computed once for the whole team
 *   cache.commit();
 * }
 * }</pre>
 *
 * <p>Lookups are real-time gets of up to {@value #BATCH} keys per request, so entries are found as
 * soon as {@link #putAll} returns, committed or not; puts go in requests of up to {@value #BATCH}
 * entries. Entries are durable once Solr has them (its update log) and become visible to {@link
 * #forEach} and {@link #stats()} with the next {@link #commit()} (a {@code SolrVectorStore} commits
 * at its own interval). {@link #clear} commits first, so that it counts what it removes.
 *
 * <p>A {@code SolrVectorStore}'s collection holds its cache; a collection opened here alone holds
 * entries only, and a store may open it later. {@code CacheStats.bytes} estimates the entries' size
 * (keys and vectors), not the index on disk.
 *
 * <p><b>NOTE</b>: thread-safe. {@link #close()} is idempotent; any other call after it throws
 * {@link IllegalStateException}.
 */
public final class SolrEmbeddingCache implements EmbeddingCache {
  /** Keys per real-time get and entries per update request. */
  public static final int BATCH = 500;

  private static final String ENTRY_FIELDS =
      Fields.ID + "," + Fields.KIND + "," + Fields.VECTOR_BYTES;

  private final Cluster cluster;
  private final boolean ownsCluster;
  private final VectorDimensions dimensions = new VectorDimensions();
  private final Set<ModelFingerprint> dimensionKnown = ConcurrentHashMap.newKeySet();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  SolrEmbeddingCache(Cluster cluster, boolean ownsCluster) {
    this.cluster = cluster;
    this.ownsCluster = ownsCluster;
  }

  /**
   * Opens the cache in a collection, creating the collection (without a vector field, for entries
   * only) when it does not exist.
   *
   * @param config the cluster and collection
   * @return the open cache
   * @throws IOException if the cluster cannot be reached, or the collection is not an Embedstore
   *     collection (the message names the collection and what differs)
   */
  public static SolrEmbeddingCache open(SolrStoreConfig config) throws IOException {
    Cluster cluster = Cluster.connect(config);
    boolean success = false;
    try {
      if (!cluster.collections().contains(config.collection())) {
        CollectionSetup.create(cluster, config, 0);
      } else {
        List<String> problems = CollectionSetup.check(cluster).problems();
        if (!problems.isEmpty()) {
          throw new IOException(
              cluster.name()
                  + " is not an Embedstore collection: "
                  + String.join("; ", problems)
                  + "; use another collection");
        }
      }
      SolrEmbeddingCache cache = new SolrEmbeddingCache(cluster, true);
      success = true;
      return cache;
    } finally {
      if (!success) {
        cluster.close();
      }
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("SolrEmbeddingCache is closed");
    }
  }

  @Override
  public float[][] getAll(List<CacheKey> keys) throws IOException {
    Objects.requireNonNull(keys, "keys");
    ensureOpen();
    Set<String> distinct = new LinkedHashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      CacheKey k = keys.get(i);
      if (k == null) {
        throw new NullPointerException("keys[" + i + "]");
      }
      distinct.add(k.hex());
    }
    Map<String, float[]> found = new HashMap<>();
    List<String> batch = new ArrayList<>(Math.min(BATCH, distinct.size()));
    for (String id : distinct) {
      batch.add(id);
      if (batch.size() == BATCH) {
        lookup(batch, found);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      lookup(batch, found);
    }
    float[][] out = new float[keys.size()][];
    Set<String> handedOut = new java.util.HashSet<>();
    long hit = 0;
    for (int i = 0; i < out.length; i++) {
      String id = keys.get(i).hex();
      float[] v = found.get(id);
      if (v != null) {
        // A repeated key gets its own copy: the caller may change what it is given.
        out[i] = handedOut.add(id) ? v : v.clone();
        hit++;
      }
    }
    hits.add(hit);
    misses.add(out.length - hit);
    return out;
  }

  private void lookup(List<String> ids, Map<String, float[]> found) throws IOException {
    SolrDocumentList docs = cluster.get("looking up cache entries", ids, ENTRY_FIELDS);
    for (SolrDocument d : docs) {
      if (Fields.KIND_ENTRY.equals(d.getFirstValue(Fields.KIND))
          && d.getFirstValue(Fields.VECTOR_BYTES) instanceof byte[] b) {
        found.put((String) d.getFirstValue(Fields.ID), Binary.floats(b));
      }
    }
  }

  @Override
  public void putAll(Collection<CacheEntry> entries) throws IOException {
    Objects.requireNonNull(entries, "entries");
    ensureOpen();
    int i = 0;
    for (CacheEntry e : entries) {
      if (e == null) {
        throw new NullPointerException("entries[" + i + "]");
      }
      i++;
      if (!dimensionKnown.contains(e.fingerprint())) {
        learnDimension(e.fingerprint());
      }
    }
    dimensions.check(entries);
    List<SolrInputDocument> docs = new ArrayList<>(Math.min(BATCH, entries.size()));
    for (CacheEntry e : entries) {
      docs.add(document(e));
      if (docs.size() == BATCH) {
        send(docs);
        docs.clear();
      }
    }
    if (!docs.isEmpty()) {
      send(docs);
    }
  }

  private void send(List<SolrInputDocument> docs) throws IOException {
    UpdateRequest u = new UpdateRequest();
    u.add(docs);
    pending.set(true);
    cluster.update("writing " + docs.size() + " cache entries", u);
    puts.add(docs.size());
  }

  /** The dimension the cluster holds for a model, if it holds any of its entries (committed). */
  private void learnDimension(ModelFingerprint fp) throws IOException {
    ModifiableSolrParams p = entriesOf(fp);
    p.set("rows", 1);
    p.set("fl", Fields.DIMENSION);
    SolrDocumentList docs = cluster.query("reading a model's dimension", p).getResults();
    if (!docs.isEmpty() && docs.get(0).getFirstValue(Fields.DIMENSION) instanceof Number n) {
      dimensions.declare(fp, n.intValue());
    }
    dimensionKnown.add(fp);
  }

  private static SolrInputDocument document(CacheEntry e) {
    SolrInputDocument d = new SolrInputDocument();
    d.setField(Fields.ID, e.key().hex());
    d.setField(Fields.KIND, Fields.KIND_ENTRY);
    d.setField(Fields.FINGERPRINT, e.fingerprint().hex());
    d.setField(Fields.ROLE, String.valueOf((char) e.role().code()));
    d.setField(Fields.DIMENSION, e.vector().length);
    d.setField(Fields.VECTOR_BYTES, Binary.floats(e.vector()));
    return d;
  }

  private static ModifiableSolrParams entriesOf(ModelFingerprint fp) {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", FilterQueries.ALL);
    p.add("fq", Fields.KIND + ":" + Fields.KIND_ENTRY);
    p.add("fq", Fields.FINGERPRINT + ":" + fp.hex());
    return p;
  }

  @Override
  public long invalidate(Collection<CacheKey> keys) throws IOException {
    Objects.requireNonNull(keys, "keys");
    ensureOpen();
    List<CacheKey> list = new ArrayList<>(keys);
    float[][] present = getAll(list);
    Set<String> gone = new LinkedHashSet<>();
    for (int i = 0; i < present.length; i++) {
      if (present[i] != null) {
        gone.add(list.get(i).hex());
      }
    }
    if (!gone.isEmpty()) {
      UpdateRequest u = new UpdateRequest();
      u.deleteById(new ArrayList<>(gone));
      pending.set(true);
      cluster.update("removing " + gone.size() + " cache entries", u);
    }
    return gone.size();
  }

  @Override
  public long clear(ModelFingerprint fingerprint) throws IOException {
    Objects.requireNonNull(fingerprint, "fingerprint");
    ensureOpen();
    cluster.commit();
    ModifiableSolrParams p = entriesOf(fingerprint);
    p.set("rows", 0);
    long n = cluster.query("counting a model's cache entries", p).getResults().getNumFound();
    if (n > 0) {
      UpdateRequest u = new UpdateRequest();
      u.deleteByQuery(
          "+"
              + Fields.KIND
              + ":"
              + Fields.KIND_ENTRY
              + " +"
              + Fields.FINGERPRINT
              + ":"
              + fingerprint.hex());
      pending.set(true);
      cluster.update("removing a model's cache entries", u);
    }
    dimensions.forget(fingerprint);
    dimensionKnown.add(fingerprint);
    return n;
  }

  @Override
  public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(visitor, "visitor");
    ensureOpen();
    ModifiableSolrParams p = entriesOf(fingerprint);
    p.set("fl", Fields.ID + "," + Fields.ROLE + "," + Fields.VECTOR_BYTES);
    Pages pages = new Pages(cluster, "reading a model's cache entries", p);
    while (pages.advance()) {
      SolrDocument d = pages.next();
      String role = (String) d.getFirstValue(Fields.ROLE);
      visitor.visit(
          new CacheEntry(
              CacheKey.ofHex((String) d.getFirstValue(Fields.ID)),
              fingerprint,
              Role.fromCode((byte) role.charAt(0)),
              Binary.floats((byte[]) d.getFirstValue(Fields.VECTOR_BYTES))));
    }
  }

  /**
   * The cache's size (as of the last commit) and traffic since it was opened.
   *
   * @return a snapshot
   * @throws IOException if the cluster cannot be read
   */
  @Override
  public CacheStats stats() throws IOException {
    ensureOpen();
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", FilterQueries.ALL);
    p.add("fq", Fields.KIND + ":" + Fields.KIND_ENTRY);
    p.set("rows", 0);
    p.set(
        "json.facet",
        "{models:{type:terms,field:" + Fields.FINGERPRINT + ",limit:-1,facet:{d:\"max(dim)\"}}}");
    var r = cluster.query("counting cache entries", p);
    long entries = r.getResults().getNumFound();
    long bytes = 0;
    if (r.getResponse().get("facets") instanceof NamedList<?> facets
        && facets.get("models") instanceof NamedList<?> models
        && models.get("buckets") instanceof List<?> buckets) {
      for (Object o : buckets) {
        if (o instanceof NamedList<?> bucket
            && bucket.get("count") instanceof Number count
            && bucket.get("d") instanceof Number d) {
          bytes += count.longValue() * (CacheKey.BYTES + (long) d.intValue() * Float.BYTES);
        }
      }
    }
    return new CacheStats(entries, bytes, hits.sum(), misses.sum(), puts.sum(), 0);
  }

  /**
   * Makes every entry put so far durable in the index and visible to {@link #forEach} and {@link
   * #stats()}; cheap when nothing was put. A store's cache is committed by the store.
   *
   * @throws IOException if the commit fails
   */
  public void commit() throws IOException {
    ensureOpen();
    if (pending.getAndSet(false)) {
      try {
        cluster.commit();
      } catch (IOException e) {
        pending.set(true);
        throw e;
      }
    }
  }

  /** Whether entries were put or removed since the last commit. */
  boolean hasPending() {
    return pending.get();
  }

  /** Marks what was sent as committed (the store committed the collection). */
  void committed() {
    pending.set(false);
  }

  /**
   * Commits what was put and releases the connection (when the cache opened it). Idempotent.
   *
   * @throws IOException if the final commit fails
   */
  @Override
  public void close() throws IOException {
    if (closed.get()) {
      return;
    }
    try {
      if (ownsCluster) {
        commit();
      }
    } finally {
      closed.set(true);
      if (ownsCluster) {
        cluster.close();
      }
    }
  }

  @Override
  public String toString() {
    return "SolrEmbeddingCache[" + cluster.name() + "]";
  }
}
