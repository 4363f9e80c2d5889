package dev.embedstore.lucene.internal;

import dev.embedstore.store.Document;
import dev.embedstore.store.spi.MetadataTypes;
import dev.embedstore.store.spi.PreparedDocument;
import dev.embedstore.store.spi.StoreWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.UnicodeUtil;

/**
 * The Lucene store's side of an upsert ({@link StoreWriter}): stored digests, Lucene's limits,
 * writing chunks, and the store's one commit path.
 *
 * <p>Digests of documents written since the last commit are kept in memory and looked up there,
 * instead of refreshing the searcher before each batch: each refresh would flush a tiny segment
 * (and its HNSW graph). Past {@value #MAX_UNSEEN} of them the searcher is refreshed instead.
 *
 * <p><b>NOTE</b>: not thread-safe; the store calls it under its write lock.
 */
public final class LuceneStoreWriter implements StoreWriter {
  private static final int MAX_UNSEEN = 1 << 16;
  private static final Set<String> HASH_ONLY = Set.of(Fields.HASH);

  /** Each document's first chunk: counting these counts documents. */
  public static final Query HEADS = new TermQuery(new Term(Fields.HEAD, "1"));

  private final StoreIndex index;
  private final MetadataSchema schema;
  private final Supplier<Map<String, String>> userData;
  private final Map<String, String> unseen = new HashMap<>();

  /**
   * Creates the writer side of a store.
   *
   * @param index the store's index
   * @param schema its metadata schema
   * @param userData what each commit records
   */
  public LuceneStoreWriter(
      StoreIndex index, MetadataSchema schema, Supplier<Map<String, String>> userData) {
    this.index = index;
    this.schema = schema;
    this.userData = userData;
  }

  @Override
  public Map<String, String> digests(Collection<String> ids) throws IOException {
    if (unseen.size() > MAX_UNSEEN) {
      IndexSearcher s = index.acquireCurrent();
      index.release(s);
      unseen.clear();
    }
    Map<String, String> out = new HashMap<>();
    IndexSearcher s = index.acquire();
    try {
      for (String id : ids) {
        String digest = unseen.get(id);
        if (digest == null) {
          int head = headOf(s, id);
          digest = head < 0 ? null : s.storedFields().document(head, HASH_ONLY).get(Fields.HASH);
        }
        if (digest != null) {
          out.put(id, digest);
        }
      }
    } finally {
      index.release(s);
    }
    return out;
  }

  /**
   * The doc id of a document's first chunk.
   *
   * @param searcher the searcher
   * @param id the document id
   * @return the doc id, or -1 when there is no such document
   * @throws IOException if the index cannot be read
   */
  public static int headOf(IndexSearcher searcher, String id) throws IOException {
    Query q =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(Fields.ID, id)), Occur.FILTER)
            .add(HEADS, Occur.FILTER)
            .build();
    TopDocs top = searcher.search(q, 1);
    return top.scoreDocs.length == 0 ? -1 : top.scoreDocs[0].doc;
  }

  @Override
  public void checkStorable(Document d) {
    check(d);
  }

  /**
   * Checks that Lucene can index a document: the id and each string metadata value become one term
   * of at most {@value IndexWriter#MAX_TERM_LENGTH} bytes of UTF-8.
   *
   * @param d the document
   * @throws IllegalArgumentException naming the document, the field and the size when it cannot
   */
  public static void check(Document d) {
    int idBytes = utf8Length(d.id());
    if (idBytes > IndexWriter.MAX_TERM_LENGTH) {
      throw new IllegalArgumentException(
          "document "
              + MetadataTypes.abbreviate(d.id())
              + ": the id is "
              + idBytes
              + " bytes of UTF-8; ids can be at most "
              + IndexWriter.MAX_TERM_LENGTH);
    }
    for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
      for (Object v : MetadataTypes.valuesOf(e.getValue())) {
        if (v instanceof String str) {
          int bytes = utf8Length(str);
          if (bytes > IndexWriter.MAX_TERM_LENGTH) {
            throw new IllegalArgumentException(
                "document "
                    + MetadataTypes.abbreviate(d.id())
                    + ": metadata field "
                    + e.getKey()
                    + " has a value of "
                    + bytes
                    + " bytes of UTF-8; metadata values can be at most "
                    + IndexWriter.MAX_TERM_LENGTH
                    + ": put long text in the document's text");
          }
        }
      }
    }
  }

  private static int utf8Length(String s) {
    return UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length());
  }

  @Override
  public Map<String, String> metadataTypes() {
    return schema.view();
  }

  @Override
  public void write(List<PreparedDocument> documents, Map<String, String> newTypes)
      throws IOException {
    schema.putAll(newTypes); // before the chunks: a commit never lacks a type it holds
    IndexWriter writer = index.writer();
    for (PreparedDocument p : documents) {
      Document d = p.document();
      int n = p.chunks().size();
      List<org.apache.lucene.document.Document> docs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        PreparedDocument.Chunk c = p.chunks().get(i);
        StoredChunk chunk =
            new StoredChunk(
                d.id(),
                i,
                n,
                c.text(),
                d.title(),
                n > 1 ? d.text() : null,
                c.key().bytes(),
                p.digest(),
                d.metadata());
        docs.add(chunk.toLucene(c.vector()));
      }
      writer.updateDocuments(new Term(Fields.ID, d.id()), docs);
      unseen.put(d.id(), p.digest());
    }
    index.changed();
  }

  @Override
  public void commit() throws IOException {
    if (index.hasUncommittedChanges()) {
      index.commit(userData.get());
    }
    unseen.clear();
  }

  /**
   * Commits with the store's user data even when nothing changed (a new store's first commit, a
   * changed configuration).
   *
   * @throws IOException if the commit fails
   */
  public void forceCommit() throws IOException {
    index.commit(userData.get());
    unseen.clear();
  }

  /**
   * Forgets the digests of what was written since the last commit (after a rollback or rewrite).
   */
  public void forget() {
    unseen.clear();
  }

  @Override
  public IOException upsertFailed(Exception failure, long documentsBefore) {
    boolean lost = index.lost();
    if (!lost && index.hasUncommittedChanges()) {
      try {
        commit();
      } catch (IOException | RuntimeException commitFailure) {
        commitFailure.addSuppressed(failure);
        return index.failed("upsert", commitFailure);
      }
    }
    if (lost) {
      return index.failed("upsert", failure);
    }
    if (failure instanceof RuntimeException re) {
      throw re; // not the store's failure: a refused document, a closed store, the model
    }
    return new IOException(
        index.failed("upsert", failure).getMessage()
            + "; the "
            + documentsBefore
            + " documents before the failing batch are committed",
        failure);
  }
}
