package dev.embedstore.solr.internal;

import dev.embedstore.store.Document;
import dev.embedstore.store.spi.MetadataTypes;
import dev.embedstore.store.spi.PreparedDocument;
import dev.embedstore.store.spi.StoreWriter;
import dev.embedstore.store.spi.Vectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;

/**
 * The Solr store's write side for the shared {@code Upserter}: digests by real-time get, chunks as
 * Solr documents, the store's record when metadata types are new, commits of the collection.
 *
 * <p>Solr has no transaction across documents, so the order of a batch's writes is what keeps a
 * failure safe to re-run. Stale chunks (beyond a replaced document's new chunk count) are deleted
 * first, in a request of their own; then each document's chunks are sent with chunk 0 last. The
 * chunks of a document share a shard, where Solr applies a request's documents in order, so a
 * document's chunk 0, which carries its digest, is only ever written after all its other chunks: if
 * a batch fails half-way, every document it touched either has its new digest and all its new
 * chunks, or still has its old digest, and re-running the upsert rewrites it. Cache entries were
 * put (and acknowledged) before {@link #write} is called.
 *
 * <p><b>NOTE</b>: not thread-safe; the store calls it under its write lock.
 */
public final class SolrStoreWriter implements StoreWriter {
  /** Solr (Lucene) indexes terms of at most this many UTF-8 bytes. */
  public static final int MAX_TERM_BYTES = 32766;

  private static final String DIGEST_FIELDS = Fields.ID + "," + Fields.DIGEST + "," + Fields.CHUNKS;

  private final Cluster cluster;
  private final BooleanSupplier cachePending;
  private final Runnable cacheCommitted;
  private volatile StoreRecord record;
  private final Map<String, Integer> storedChunks = new HashMap<>();
  private boolean pending;

  /**
   * Creates the writer.
   *
   * @param cluster the collection
   * @param record the store's record as read or written at open
   * @param cachePending whether the store's cache has writes since its last commit
   * @param cacheCommitted tells the cache its writes were committed
   */
  public SolrStoreWriter(
      Cluster cluster, StoreRecord record, BooleanSupplier cachePending, Runnable cacheCommitted) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.record = Objects.requireNonNull(record, "record");
    this.cachePending = cachePending;
    this.cacheCommitted = cacheCommitted;
  }

  /**
   * The store's record as this writer last wrote or read it.
   *
   * @return the record
   */
  public StoreRecord record() {
    return record;
  }

  /**
   * Takes the record another client may have rewritten (new metadata types).
   *
   * @param fresh the record as read now
   */
  public void refresh(StoreRecord fresh) {
    this.record = fresh.withTypes(record.metadataTypes());
  }

  @Override
  public Map<String, String> digests(Collection<String> ids) throws IOException {
    Map<String, String> byKey = new HashMap<>();
    List<String> chunkIds = new ArrayList<>(ids.size());
    for (String id : ids) {
      String dk = Fields.docKey(id);
      byKey.put(dk, id);
      chunkIds.add(Fields.chunkId(dk, 0));
    }
    Map<String, String> out = new HashMap<>();
    storedChunks.clear();
    for (int from = 0; from < chunkIds.size(); from += 500) {
      List<String> batch = chunkIds.subList(from, Math.min(chunkIds.size(), from + 500));
      for (SolrDocument d : cluster.get("reading documents' digests", batch, DIGEST_FIELDS)) {
        String solrId = (String) d.getFirstValue(Fields.ID);
        String dk = solrId.substring(0, solrId.indexOf('!'));
        String id = byKey.get(dk);
        if (id != null && d.getFirstValue(Fields.DIGEST) instanceof String digest) {
          out.put(id, digest);
          storedChunks.put(dk, ((Number) d.getFirstValue(Fields.CHUNKS)).intValue());
        }
      }
    }
    return out;
  }

  @Override
  public void checkStorable(Document d) {
    for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
      for (Object v : MetadataTypes.valuesOf(e.getValue())) {
        if (v instanceof String s && s.length() > MAX_TERM_BYTES / 3) {
          int bytes = s.getBytes(StandardCharsets.UTF_8).length;
          if (bytes > MAX_TERM_BYTES) {
            throw new IllegalArgumentException(
                "document "
                    + MetadataTypes.abbreviate(d.id())
                    + ": metadata field "
                    + e.getKey()
                    + " has a value of "
                    + bytes
                    + " UTF-8 bytes; Solr indexes at most "
                    + MAX_TERM_BYTES
                    + " per value: shorten it or keep it in the text");
          }
        }
      }
    }
  }

  @Override
  public Map<String, String> metadataTypes() {
    return record.metadataTypes();
  }

  @Override
  public void write(List<PreparedDocument> documents, Map<String, String> newTypes)
      throws IOException {
    List<String> stale = new ArrayList<>();
    List<SolrInputDocument> adds = new ArrayList<>();
    for (PreparedDocument p : documents) {
      String dk = Fields.docKey(p.document().id());
      Integer before = storedChunks.get(dk);
      if (before == null && p.replaces()) {
        before = chunksOf(dk);
      }
      for (int ord = p.chunks().size(); before != null && ord < before; ord++) {
        stale.add(Fields.chunkId(dk, ord));
      }
      List<SolrInputDocument> chunks = chunks(p, dk);
      // Chunk 0 (the digest) last: see the class comment.
      adds.addAll(chunks.subList(1, chunks.size()));
      adds.add(chunks.get(0));
    }
    StoreRecord next = newTypes.isEmpty() ? record : record.withTypes(newTypes);
    if (next != record) {
      adds.add(next.toDocument());
    }
    pending = true;
    if (!stale.isEmpty()) {
      UpdateRequest delete = new UpdateRequest();
      delete.deleteById(stale);
      cluster.update("deleting " + stale.size() + " replaced chunks", delete);
    }
    UpdateRequest add = new UpdateRequest();
    add.add(adds);
    cluster.update("writing " + documents.size() + " documents", add);
    record = next;
    storedChunks.clear();
  }

  private int chunksOf(String dk) throws IOException {
    for (SolrDocument d :
        cluster.get(
            "reading a document's chunk count", List.of(Fields.chunkId(dk, 0)), DIGEST_FIELDS)) {
      if (d.getFirstValue(Fields.CHUNKS) instanceof Number n) {
        return n.intValue();
      }
    }
    return 0;
  }

  private static List<SolrInputDocument> chunks(PreparedDocument p, String dk) {
    Document doc = p.document();
    List<SolrInputDocument> out = new ArrayList<>(p.chunks().size());
    for (int ord = 0; ord < p.chunks().size(); ord++) {
      PreparedDocument.Chunk c = p.chunks().get(ord);
      SolrInputDocument s = new SolrInputDocument();
      s.setField(Fields.ID, Fields.chunkId(dk, ord));
      s.setField(Fields.KIND, Fields.KIND_CHUNK);
      s.setField(Fields.DOC_KEY, dk);
      s.setField(Fields.ORDINAL, ord);
      s.setField(Fields.VECTOR_KEY, c.key().hex());
      s.setField(Fields.TEXT, c.text());
      if (doc.title() != null) {
        s.setField(Fields.TITLE, doc.title());
      }
      float[] unit = Vectors.unitLength(c.vector());
      List<Float> vector = new ArrayList<>(unit.length);
      for (float x : unit) {
        vector.add(x);
      }
      s.setField(Fields.VECTOR, vector);
      for (Map.Entry<String, Object> m : doc.metadata().entrySet()) {
        String field = Fields.metadataField(MetadataTypes.typeOf(m.getValue()), m.getKey());
        for (Object v : MetadataTypes.valuesOf(m.getValue())) {
          s.addField(field, v);
        }
      }
      s.setField(
          Fields.BODY, new ChunkBody(doc.id(), doc.title(), doc.metadata(), c.text()).encode());
      if (ord == 0) {
        s.setField(Fields.DOCUMENT_ID, Binary.encode(doc.id()));
        s.setField(Fields.DIGEST, p.digest());
        s.setField(Fields.CHUNKS, p.chunks().size());
        if (p.chunks().size() > 1) {
          s.setField(Fields.SOURCE, Binary.encode(doc.text()));
        }
      }
      out.add(s);
    }
    return out;
  }

  /** Notes a write that is not a chunk write (a delete) so that the next commit is not skipped. */
  public void touched() {
    pending = true;
  }

  @Override
  public void commit() throws IOException {
    if (pending || cachePending.getAsBoolean()) {
      cluster.commit();
      pending = false;
      cacheCommitted.run();
    }
  }

  @Override
  public IOException upsertFailed(Exception failure, long documentsBefore) {
    storedChunks.clear();
    IOException commitFailure = null;
    try {
      commit();
    } catch (IOException e) {
      commitFailure = e;
    }
    if (failure instanceof RuntimeException r && commitFailure == null) {
      throw r;
    }
    String kept =
        commitFailure == null
            ? documentsBefore + " documents of this call before the failing batch are committed"
            : "committing the " + documentsBefore + " documents before it failed too";
    IOException out =
        new IOException(
            (failure instanceof IOException
                    ? failure.getMessage()
                    : cluster.name() + ": upsert failed: " + failure)
                + " ("
                + kept
                + "; re-running the upsert resumes it at no model cost)",
            failure);
    if (commitFailure != null) {
      out.addSuppressed(commitFailure);
    }
    return out;
  }
}
