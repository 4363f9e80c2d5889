package dev.embedstore.solr;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.Role;
import dev.embedstore.solr.internal.Binary;
import dev.embedstore.solr.internal.ChunkBody;
import dev.embedstore.solr.internal.Cluster;
import dev.embedstore.solr.internal.CollectionSetup;
import dev.embedstore.solr.internal.Fields;
import dev.embedstore.solr.internal.FilterQueries;
import dev.embedstore.solr.internal.Pages;
import dev.embedstore.solr.internal.Searches;
import dev.embedstore.solr.internal.SolrStoreWriter;
import dev.embedstore.solr.internal.StoreOpening;
import dev.embedstore.solr.internal.StoreRecord;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.ProgressListener;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.store.spi.ReadOnlyCache;
import dev.embedstore.store.spi.Upserter;
import dev.embedstore.store.spi.Vectors;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * A {@link VectorStore} on a SolrCloud collection: documents, their chunks and vectors, and the
 * embedding cache ({@link SolrEmbeddingCache}) all live in the cluster, so several machines share
 * one store and no vector is ever computed twice, whichever machine asks.
 *
 * <pre>{@code
 * SolrStoreConfig config = SolrStoreConfig.builder(List.of("http://solr1:8983/solr"), "docs").build();
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     SolrVectorStore store = SolrVectorStore.open(config, model)) {
 *   store.upsert(List.of(Document.of("a", "Solr is a search server.")));
 *   List<SearchHit> hits = store.search(SearchRequest.of("what is solr", 5));
 * }
 * }</pre>
 *
 * <p>Opening a collection that does not exist creates it (shards and replication factor from the
 * config) with a configset of its own, shipped in this module, and records the model in it. Opening
 * an existing one checks its schema (fields, vector dimension and similarity) and its recorded
 * model; a mismatch is refused with {@link StoreMismatchException} naming the collection and the
 * difference, before anything is written.
 *
 * <p>Upserts run through core's {@link Upserter}: cache entries are sent before the chunks that use
 * them, the collection is committed every {@link SolrStoreConfig#commitInterval()} embedded texts
 * and at the end of each call, so a crash of the client loses at most the model work since the last
 * commit (what Solr acknowledged is in its update log and survives anyway). Solr has no
 * multi-document transaction: a batch that fails while Solr applies it may be partly written;
 * re-running the upsert completes it, at no model cost.
 *
 * <p>All four {@link SearchMode}s are served: VECTOR by Solr's kNN with pre-filters, EXACT by a
 * vector-similarity function over every matching chunk, KEYWORD by BM25 (edismax over text and
 * title), HYBRID by reciprocal-rank fusion (k = 60) of a vector and a keyword search.
 *
 * <p><b>NOTE</b>: thread-safe; searches run concurrently with each other and with one writer;
 * writes are serialised within this instance. Two instances (or processes) writing one collection
 * are not coordinated. {@link #close()} is idempotent and waits for running calls.
 */
// About 550 lines: the VectorStore contract is wide (every method locked, checked and documented);
// the work itself lives in the internal package (opening, writing, searching, filter syntax).
public final class SolrVectorStore implements VectorStore {
  /** The store format this version writes. */
  public static final int FORMAT = CollectionSetup.FORMAT;

  private final SolrStoreConfig config;
  private final Cluster cluster;
  private final Embedder model;
  private final SolrEmbeddingCache cache;
  private final CachedEmbedder embedder;
  private final SolrStoreWriter writer;
  private final Upserter upserter;
  private final Searches searches;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile boolean closed;

  private SolrVectorStore(
      SolrStoreConfig config, Cluster cluster, Embedder model, StoreRecord record) {
    this.config = config;
    this.cluster = cluster;
    this.model = model;
    this.cache = new SolrEmbeddingCache(cluster, false);
    CachedEmbedder.Builder b = CachedEmbedder.builder(model, cache);
    if (config.persistQueries()) {
      b.persistQueries();
    }
    this.embedder = b.build();
    this.writer = new SolrStoreWriter(cluster, record, cache::hasPending, cache::committed);
    this.upserter = new Upserter(writer, embedder, cache, model, cluster.name());
    this.searches = new Searches(cluster);
  }

  /**
   * Opens the store in a collection, creating the collection when it does not exist.
   *
   * @param config the cluster, the collection, and the settings of a new collection
   * @param model the model; the caller closes it
   * @return the open store
   * @throws IOException if the cluster cannot be reached or refuses to create the collection; the
   *     message names the collection and the cluster
   * @throws StoreMismatchException if the collection holds another model's vectors, or its schema
   *     differs from what the store needs (the message names both)
   */
  public static SolrVectorStore open(SolrStoreConfig config, Embedder model) throws IOException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(model, "model");
    Cluster cluster = Cluster.connect(config);
    boolean success = false;
    try {
      StoreRecord record = StoreOpening.prepare(cluster, config, model, FORMAT);
      SolrVectorStore store = new SolrVectorStore(config, cluster, model, record);
      success = true;
      return store;
    } finally {
      if (!success) {
        cluster.close();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("SolrVectorStore is closed");
    }
  }

  /** Runs a read under the lifecycle lock. */
  private <T> T read(IoWork<T> work) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return work.run();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Runs a write under the lifecycle lock and the write lock. */
  private <T> T write(IoWork<T> work) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      writeLock.lock();
      try {
        return work.run();
      } finally {
        writeLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @FunctionalInterface
  private interface IoWork<T> {
    T run() throws IOException;
  }

  @Override
  public UpsertResult upsert(
      Iterable<? extends Document> documents, TextSplitter splitter, ProgressListener listener)
      throws IOException {
    Objects.requireNonNull(documents, "documents");
    return write(() -> upserter.upsert(documents, splitter, listener, config.commitInterval()));
  }

  @Override
  public void checkStorable(Document document) {
    Objects.requireNonNull(document, "document");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      upserter.check(document, new HashMap<>());
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public long delete(Collection<String> ids) throws IOException {
    Objects.requireNonNull(ids, "ids");
    return write(
        () -> {
          SolrDocumentList present = chunkZeros(new LinkedHashSet<>(ids));
          if (present.isEmpty()) {
            return 0L;
          }
          List<String> chunkIds = new ArrayList<>();
          for (SolrDocument d : present) {
            String dk = Fields.docKey(Binary.decode((byte[]) d.getFirstValue(Fields.DOCUMENT_ID)));
            int n = ((Number) d.getFirstValue(Fields.CHUNKS)).intValue();
            for (int ord = 0; ord < n; ord++) {
              chunkIds.add(Fields.chunkId(dk, ord));
            }
          }
          UpdateRequest u = new UpdateRequest();
          u.deleteById(chunkIds);
          writer.touched();
          cluster.update("deleting " + present.size() + " documents", u);
          writer.commit();
          return (long) present.size();
        });
  }

  private SolrDocumentList chunkZeros(Collection<String> ids) throws IOException {
    List<String> solrIds = new ArrayList<>(ids.size());
    for (String id : ids) {
      solrIds.add(Fields.chunkId(Fields.docKey(id), 0));
    }
    SolrDocumentList all = new SolrDocumentList();
    for (int from = 0; from < solrIds.size(); from += SolrEmbeddingCache.BATCH) {
      all.addAll(
          cluster.get(
              "reading documents",
              solrIds.subList(from, Math.min(solrIds.size(), from + SolrEmbeddingCache.BATCH)),
              Fields.DOCUMENT_ID + "," + Fields.CHUNKS + "," + Fields.KIND));
    }
    return all;
  }

  @Override
  public long delete(Filter filter) throws IOException {
    Objects.requireNonNull(filter, "filter");
    return write(() -> deleteMatching(filterQuery(filter)));
  }

  @Override
  public long deleteAll() throws IOException {
    return write(() -> deleteMatching(null));
  }

  /** Deletes every chunk of the documents a filter query matches (every document when null). */
  private long deleteMatching(String filter) throws IOException {
    writer.commit(); // so that the count sees every write
    long n = countDocuments(filter);
    if (n > 0) {
      UpdateRequest u = new UpdateRequest();
      u.deleteByQuery(
          "+"
              + Fields.KIND
              + ":"
              + Fields.KIND_CHUNK
              + (filter == null ? "" : " +(" + filter + ")"));
      writer.touched();
      cluster.update("deleting " + n + " documents", u);
      writer.commit();
    }
    return n;
  }

  @Override
  public void commit() throws IOException {
    write(
        () -> {
          writer.commit();
          return null;
        });
  }

  @Override
  public List<SearchHit> search(SearchRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    return read(() -> doSearch(request));
  }

  private List<SearchHit> doSearch(SearchRequest r) throws IOException {
    String filter = r.filter() == null ? null : filterQuery(r.filter());
    int fetch = r.k() * r.oversample();
    List<Searches.Hit> hits =
        switch (r.mode()) {
          case VECTOR -> searches.vector(queryVector(r), r.k(), fetch, filter);
          case EXACT -> searches.exact(queryVector(r), r.k(), filter);
          case KEYWORD -> searches.keyword(r.query(), r.k(), filter);
          case HYBRID -> hybrid(r, filter, Math.max(fetch, 100));
        };
    float[][] vectors = null;
    if (r.includeVectors() && !hits.isEmpty()) {
      List<CacheKey> keys = new ArrayList<>(hits.size());
      for (Searches.Hit h : hits) {
        keys.add(CacheKey.ofHex(h.vectorKey()));
      }
      vectors = cache.getAll(keys);
    }
    List<SearchHit> out = new ArrayList<>(hits.size());
    for (int i = 0; i < hits.size(); i++) {
      Searches.Hit h = hits.get(i);
      ChunkBody b = h.body();
      out.add(
          new SearchHit(
              b.id(),
              h.score(),
              h.ordinal(),
              b.text(),
              b.title(),
              b.metadata(),
              vectors == null ? null : vectors[i]));
    }
    return out;
  }

  private List<Searches.Hit> hybrid(SearchRequest r, String filter, int fetch) throws IOException {
    return Searches.fuse(
        searches.vector(queryVector(r), fetch, fetch, filter),
        searches.keyword(r.query(), fetch, filter),
        r.k());
  }

  private float[] queryVector(SearchRequest r) throws IOException {
    float[] v = r.vector();
    if (v != null) {
      Vectors.checkDimension("the query vector", v, model.dimension(), model.modelName());
    } else {
      v = embedder.embed(List.of(r.query()), Role.QUERY).get(0);
    }
    return Vectors.unitLength(v);
  }

  /** The filter as a query; a field this instance has not seen makes it re-read the record. */
  private String filterQuery(Filter f) throws IOException {
    List<String> named = new ArrayList<>();
    FilterQueries.fieldsOf(f, named);
    if (!writer.metadataTypes().keySet().containsAll(named)) {
      Optional<StoreRecord> fresh = StoreRecord.read(cluster);
      if (fresh.isPresent()) {
        writer.refresh(fresh.get());
      }
    }
    return "{!lucene q.op=OR}" + FilterQueries.of(f, writer.metadataTypes());
  }

  @Override
  public Set<SearchMode> searchModes() {
    return EnumSet.allOf(SearchMode.class);
  }

  @Override
  public Optional<Document> get(String id) throws IOException {
    Objects.requireNonNull(id, "id");
    return read(
        () -> {
          SolrDocumentList docs =
              cluster.get(
                  "reading document " + id,
                  List.of(Fields.chunkId(Fields.docKey(id), 0)),
                  Fields.BODY
                      + ","
                      + Fields.SOURCE
                      + ","
                      + Fields.CHUNKS
                      + ","
                      + Fields.VECTOR_KEY);
          if (docs.isEmpty()) {
            return Optional.empty();
          }
          SolrDocument d = docs.get(0);
          ChunkBody b = ChunkBody.decode((byte[]) d.getFirstValue(Fields.BODY));
          int chunks = ((Number) d.getFirstValue(Fields.CHUNKS)).intValue();
          String text =
              chunks > 1 ? Binary.decode((byte[]) d.getFirstValue(Fields.SOURCE)) : b.text();
          float[] vector = null;
          if (chunks == 1) {
            vector =
                cache
                    .getAll(List.of(CacheKey.ofHex((String) d.getFirstValue(Fields.VECTOR_KEY))))[
                    0];
          }
          return Optional.of(new Document(b.id(), text, b.title(), b.metadata(), vector));
        });
  }

  @Override
  public Stream<String> ids(Filter filter) throws IOException {
    return read(
        () -> {
          ModifiableSolrParams p = documents(filter == null ? null : filterQuery(filter));
          p.set("fl", Fields.DOCUMENT_ID);
          Pages pages = new Pages(cluster, "listing document ids", p);
          pages.advance(); // the first page now: a failure to read is the caller's IOException
          Spliterator<SolrDocument> s =
              Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL);
          return StreamSupport.stream(s, false)
              .map(
                  d -> {
                    try {
                      return Binary.decode((byte[]) d.getFirstValue(Fields.DOCUMENT_ID));
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
        });
  }

  /** A query for documents (chunk 0 of each) a filter query matches. */
  private static ModifiableSolrParams documents(String filter) {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", FilterQueries.ALL);
    p.add("fq", Fields.KIND + ":" + Fields.KIND_CHUNK);
    p.add("fq", Fields.ORDINAL + ":0");
    if (filter != null) {
      p.add("fq", filter);
    }
    return p;
  }

  private long countDocuments(String filter) throws IOException {
    ModifiableSolrParams p = documents(filter);
    p.set("rows", 0);
    return cluster.query("counting documents", p).getResults().getNumFound();
  }

  private static long count(Cluster cluster, String filter) throws IOException {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("q", FilterQueries.ALL);
    p.add("fq", filter);
    p.set("rows", 0);
    return cluster.query("counting", p).getResults().getNumFound();
  }

  @Override
  public long count() throws IOException {
    return read(() -> countDocuments(null));
  }

  @Override
  public StoreInfo info() throws IOException {
    return read(() -> infoOf(cluster, config, writer.record()));
  }

  /**
   * Reads what the store in a collection is and holds, without a model: for tools that must know
   * the store's model before they open it.
   *
   * @param config the cluster and the collection
   * @return the description
   * @throws java.nio.file.NoSuchFileException if the collection does not exist
   * @throws IOException if the cluster cannot be reached, or the collection holds no store
   */
  public static StoreInfo readInfo(SolrStoreConfig config) throws IOException {
    Objects.requireNonNull(config, "config");
    Cluster cluster = Cluster.connect(config);
    try {
      if (!cluster.collections().contains(cluster.collection())) {
        throw new java.nio.file.NoSuchFileException(
            cluster.name(), null, "no such collection: create it with embedstore index");
      }
      StoreRecord r =
          StoreRecord.read(cluster)
              .orElseThrow(
                  () ->
                      new IOException(
                          cluster.name() + " holds no Embedstore store (it has no store record)"));
      return infoOf(cluster, config, r);
    } finally {
      cluster.close();
    }
  }

  private static StoreInfo infoOf(Cluster cluster, SolrStoreConfig config, StoreRecord r)
      throws IOException {
    SortedMap<String, Object> details = new TreeMap<>();
    details.put("collection", cluster.collection());
    details.put("solr_urls", String.join(",", config.solrUrls()));
    DocCollection c =
        cluster.client().getClusterStateProvider().getCollection(cluster.collection());
    if (c != null) {
      details.put("shards", (long) c.getSlices().size());
      details.put(
          "replicas", c.getSlices().stream().mapToLong(sl -> sl.getReplicas().size()).sum());
      details.put("configset", c.getConfigName());
    }
    ModifiableSolrParams heads = documents(null);
    heads.set("rows", 0);
    return new StoreInfo(
        "solr",
        cluster.name(),
        r.format(),
        r.modelName(),
        r.fingerprint(),
        r.dimension(),
        cluster.query("counting documents", heads).getResults().getNumFound(),
        count(cluster, Fields.KIND + ":" + Fields.KIND_CHUNK),
        count(cluster, Fields.KIND + ":" + Fields.KIND_ENTRY),
        CollectionSetup.bytes(cluster),
        new TreeMap<>(r.metadataTypes()),
        details);
  }

  @Override
  public CachedEmbedder.Outcome embed(List<String> texts, Role role) throws IOException {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(role, "role");
    return read(() -> embedder.lookupOrEmbed(texts, role));
  }

  @Override
  public void putCacheEntries(Collection<CacheEntry> entries) throws IOException {
    Objects.requireNonNull(entries, "entries");
    write(
        () -> {
          cache.putAll(entries);
          return null;
        });
  }

  @Override
  public CachedEmbedder.Stats embedderStats() {
    return embedder.stats();
  }

  @Override
  public EmbeddingCache cache() {
    return new ReadOnlyCache(cache, cluster.name());
  }

  /**
   * The store's configuration.
   *
   * @return the configuration it was opened with
   */
  public SolrStoreConfig config() {
    return config;
  }

  @Override
  public void close() throws IOException {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      IOException failure = null;
      try {
        writer.commit();
      } catch (IOException e) {
        failure = e;
      }
      embedder.close();
      try {
        cache.close();
        cluster.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "SolrVectorStore[" + cluster.name() + ", model=" + model.modelName() + "]";
  }
}
