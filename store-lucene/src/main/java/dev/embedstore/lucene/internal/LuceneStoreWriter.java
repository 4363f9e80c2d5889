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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;

/**
 * The Lucene store's side of an upsert ({@link StoreWriter}): stored digests, Lucene's limits,
 * writing chunks, and the store's one commit path.
 *
 * <p>Digests of documents written since the last commit are kept in memory and looked up there,
 * instead of refreshing the searcher before each batch: each refresh would flush a tiny segment
 * (and its HNSW graph). Past {@value #MAX_UNSEEN} of them the searcher is refreshed instead.
 *
 * <p>A batch of at least {@value #PARALLEL_MIN_DOCUMENTS} documents is written by two threads on a
 * machine with two cores or more: the caller's and a helper the writer starts on first use and
 * stops on {@link #close()}.
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
  private ExecutorService helper;

  /**
   * Batches of at least this many documents are written on two threads. Below it, handing half to
   * another thread costs more than it saves, and each half would flush as a tiny segment.
   */
  static final int PARALLEL_MIN_DOCUMENTS = 64;

  /** Whether there is a second core to write on. */
  private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;

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
    List<BytesRef> rest = new ArrayList<>(ids.size());
    for (String id : ids) {
      String digest = unseen.get(id);
      if (digest != null) {
        out.put(id, digest);
      } else {
        rest.add(new BytesRef(id));
      }
    }
    if (rest.isEmpty()) {
      return out;
    }
    rest.sort(null);
    IndexSearcher s = index.acquire();
    try {
      storedDigests(s, rest, out);
    } finally {
      index.release(s);
    }
    return out;
  }

  /**
   * Looks ids up in one pass per segment: ids in term order, one {@code seekExact} each, then the
   * digests read in doc-id order (stored fields decompress whole blocks, so order matters). Every
   * chunk of a document carries its digest; the first live one found is enough.
   */
  static void storedDigests(IndexSearcher s, List<BytesRef> sorted, Map<String, String> out)
      throws IOException {
    boolean[] found = new boolean[sorted.size()];
    PostingsEnum pe = null;
    for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
      Terms t = leaf.reader().terms(Fields.ID);
      if (t == null) {
        continue;
      }
      TermsEnum te = t.iterator();
      Bits live = leaf.reader().getLiveDocs();
      List<int[]> hits = new ArrayList<>(); // {doc, index into sorted}
      for (int i = 0; i < sorted.size(); i++) {
        if (found[i] || !te.seekExact(sorted.get(i))) {
          continue;
        }
        pe = te.postings(pe, PostingsEnum.NONE);
        for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
          if (live == null || live.get(d)) {
            hits.add(new int[] {d, i});
            found[i] = true;
            break;
          }
        }
      }
      hits.sort((a, b) -> Integer.compare(a[0], b[0]));
      BinaryDocValues values = leaf.reader().getBinaryDocValues(Fields.HASH_VALUES);
      StoredFields stored = null; // only for chunks written before the digest had doc values
      for (int[] h : hits) {
        String digest;
        if (values != null && values.advanceExact(h[0])) {
          digest = values.binaryValue().utf8ToString();
        } else {
          if (stored == null) {
            stored = leaf.reader().storedFields();
          }
          digest = stored.document(h[0], HASH_ONLY).get(Fields.HASH);
        }
        if (digest != null) {
          out.put(sorted.get(h[1]).utf8ToString(), digest);
        }
      }
    }
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
    int n = documents.size();
    if (n >= PARALLEL_MIN_DOCUMENTS && PARALLEL) {
      // Two threads, so two of Lucene's per-thread buffers, each analysing its half's text and
      // building its half's HNSW graph: the batch is written in about half the time, and a flush
      // makes two segments instead of one (docs/benchmarks.md, "Writing on two threads").
      Future<?> second = helper().submit(() -> add(writer, documents.subList(n / 2, n)));
      try {
        add(writer, documents.subList(0, n / 2));
      } catch (IOException | RuntimeException | Error first) {
        try {
          join(second); // never leave the helper writing after the call returns
        } catch (IOException | RuntimeException | Error also) {
          first.addSuppressed(also);
        }
        throw first;
      }
      join(second);
    } else {
      add(writer, documents);
    }
    for (PreparedDocument p : documents) {
      unseen.put(p.document().id(), p.digest());
    }
    index.changed();
  }

  /** Adds documents, each replacing the chunks of its id. */
  private static Void add(IndexWriter writer, List<PreparedDocument> documents) throws IOException {
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
    }
    return null;
  }

  /** Waits for the helper's half; its failure is thrown as the caller's would be. */
  private static void join(Future<?> half) throws IOException {
    try {
      half.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while writing");
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case IOException io -> throw io;
        case RuntimeException re -> throw re;
        case Error err -> throw err;
        default -> throw new IOException(e.getCause());
      }
    }
  }

  /** The thread that writes the second half of large batches, started on first use. */
  private synchronized ExecutorService helper() {
    if (helper == null) {
      helper =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "embedstore-store-writer");
                t.setDaemon(true);
                return t;
              });
    }
    return helper;
  }

  /** Stops the helper thread, if one was started; the store calls it when it closes. */
  public synchronized void close() {
    if (helper != null) {
      helper.shutdown();
      helper = null;
    }
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
