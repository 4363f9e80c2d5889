package dev.embedstore.lucene;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.cache.VectorDimensions;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * An {@link EmbeddingCache} kept in a Lucene index: one Lucene document per entry, with the 32-byte
 * key indexed for exact lookup and the vector as a stored field of float32 little-endian bytes
 * (bit-exact). Stored fields are the most stable part of a Lucene index, so entries survive any
 * change of vector format, codec or library version.
 *
 * <p>Lookups are batched: keys are sorted, each segment's terms are probed with {@code seekExact}
 * in key order, then the vectors are read in doc-id order.
 *
 * <p>Use it on its own ({@link #open(Path)}; {@link #commit()} makes puts durable, {@link #close()}
 * commits) or as part of a {@link LuceneVectorStore}, which shares its index and commits entries
 * together with the documents that use them.
 *
 * <p><b>NOTE</b>: thread-safe. Puts are visible to lookups at once (near-real-time).
 */
public final class LuceneEmbeddingCache implements EmbeddingCache {
  private static final Set<String> VECTOR_ONLY = Set.of(Fields.VEC);
  private static final Set<String> ENTRY_FIELDS = Set.of(Fields.KEY, Fields.ROLE, Fields.VEC);

  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Directory ownedDirectory;
  private final boolean ownsIndex;
  private final VectorDimensions dimensions = new VectorDimensions();
  private final Set<ModelFingerprint> dimensionsLoaded =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stale = new AtomicBoolean();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private volatile boolean closed;

  LuceneEmbeddingCache(IndexWriter writer, SearcherManager searchers) {
    this(writer, searchers, null, false);
  }

  private LuceneEmbeddingCache(
      IndexWriter writer, SearcherManager searchers, Directory ownedDirectory, boolean ownsIndex) {
    this.writer = writer;
    this.searchers = searchers;
    this.ownedDirectory = ownedDirectory;
    this.ownsIndex = ownsIndex;
  }

  /**
   * Opens (or creates) a cache in a folder.
   *
   * @param folder the folder
   * @return the cache; close it
   * @throws IOException if the folder cannot be opened, or another writer holds it
   */
  public static LuceneEmbeddingCache open(Path folder) throws IOException {
    Directory dir = FSDirectory.open(folder);
    try {
      return open(dir, dir);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /**
   * Opens (or creates) a cache in a Lucene directory, which the caller keeps and closes.
   *
   * @param directory the directory
   * @return the cache; close it before the directory
   * @throws IOException if it cannot be opened, or another writer holds it
   */
  public static LuceneEmbeddingCache open(Directory directory) throws IOException {
    return open(directory, null);
  }

  private static LuceneEmbeddingCache open(Directory directory, Directory owned)
      throws IOException {
    IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer());
    config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    IndexWriter writer = LuceneVectorStore.openWriter(directory, config, String.valueOf(directory));
    try {
      return new LuceneEmbeddingCache(writer, new SearcherManager(writer, null), owned, true);
    } catch (IOException | RuntimeException e) {
      writer.rollback();
      throw e;
    }
  }

  @Override
  public float[][] getAll(List<CacheKey> keys) throws IOException {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i) == null) {
        throw new NullPointerException("keys[" + i + "]");
      }
    }
    float[][] out = withReader(reader -> lookup(reader, keys));
    int found = 0;
    for (float[] v : out) {
      if (v != null) {
        found++;
      }
    }
    hits.add(found);
    misses.add(out.length - found);
    return out;
  }

  /**
   * Looks keys up in a reader: keys sorted, one {@code seekExact} per key and segment, vectors read
   * in doc-id order per segment.
   */
  static float[][] lookup(IndexReader reader, List<CacheKey> keys) throws IOException {
    int n = keys.size();
    float[][] out = new float[n][];
    if (n == 0) {
      return out;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> keys.get(a).compareTo(keys.get(b)));
    BytesRef[] terms = new BytesRef[n];
    for (int i = 0; i < n; i++) {
      terms[i] = new BytesRef(keys.get(i).bytes());
    }
    int[] docs = new int[n];
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      Terms t = r.terms(Fields.KEY);
      if (t == null) {
        continue;
      }
      TermsEnum te = t.iterator();
      Bits live = r.getLiveDocs();
      PostingsEnum pe = null;
      int found = 0;
      for (int i : order) {
        docs[i] = -1;
        if (out[i] != null || !te.seekExact(terms[i])) {
          continue;
        }
        pe = te.postings(pe, PostingsEnum.NONE);
        for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
          if (live == null || live.get(d)) {
            docs[i] = d;
            found++;
            break;
          }
        }
      }
      if (found == 0) {
        continue;
      }
      Integer[] byDoc = new Integer[found];
      int j = 0;
      for (int i = 0; i < n; i++) {
        if (out[i] == null && docs[i] >= 0) {
          byDoc[j++] = i;
        }
      }
      Arrays.sort(byDoc, 0, j, (a, b) -> Integer.compare(docs[a], docs[b]));
      StoredFields stored = r.storedFields();
      for (int k = 0; k < j; k++) {
        int i = byDoc[k];
        out[i] = decode(stored.document(docs[i], VECTOR_ONLY).getBinaryValue(Fields.VEC));
      }
    }
    return out;
  }

  static float[] decode(BytesRef bytes) {
    float[] v = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(v);
    return v;
  }

  static byte[] encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** The Lucene document of a cache entry. */
  static Document toDocument(CacheEntry e) {
    Document doc = new Document();
    doc.add(new StringField(Fields.KIND, Fields.ENTRY, Field.Store.NO));
    doc.add(new StringField(Fields.KEY, new BytesRef(e.key().bytes()), Field.Store.YES));
    doc.add(new StringField(Fields.FP, e.fingerprint().hex(), Field.Store.YES));
    doc.add(new StringField(Fields.ROLE, String.valueOf((char) e.role().code()), Field.Store.YES));
    doc.add(new StoredField(Fields.VEC, encode(e.vector())));
    return doc;
  }

  @Override
  public void putAll(Collection<CacheEntry> entries) throws IOException {
    ensureOpen();
    Objects.requireNonNull(entries, "entries");
    for (CacheEntry e : entries) {
      if (e != null && dimensionsLoaded.add(e.fingerprint())) {
        int known = storedDimension(e.fingerprint());
        if (known > 0) {
          dimensions.declare(e.fingerprint(), known);
        }
      }
    }
    dimensions.check(entries);
    for (CacheEntry e : entries) {
      writer.updateDocument(new Term(Fields.KEY, new BytesRef(e.key().bytes())), toDocument(e));
    }
    puts.add(entries.size());
    stale.set(true);
  }

  /** The dimension of one stored entry of a model, or 0 when it has none. */
  private int storedDimension(ModelFingerprint fp) throws IOException {
    return withReader(reader -> dimensionOf(reader, fp));
  }

  @Override
  public long invalidate(Collection<CacheKey> keys) throws IOException {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    List<CacheKey> list = new ArrayList<>(new HashSet<>(keys));
    float[][] present = withReader(reader -> lookup(reader, list));
    long count = 0;
    List<Term> terms = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (present[i] != null) {
        count++;
        terms.add(new Term(Fields.KEY, new BytesRef(list.get(i).bytes())));
      }
    }
    if (!terms.isEmpty()) {
      writer.deleteDocuments(terms.toArray(Term[]::new));
      stale.set(true);
    }
    return count;
  }

  @Override
  public long clear(ModelFingerprint fingerprint) throws IOException {
    ensureOpen();
    Objects.requireNonNull(fingerprint, "fingerprint");
    BooleanQuery q = entriesOf(fingerprint);
    long count = withReader(reader -> (long) new IndexSearcher(reader).count(q));
    writer.deleteDocuments(q);
    dimensions.forget(fingerprint);
    dimensionsLoaded.remove(fingerprint);
    stale.set(true);
    return count;
  }

  static BooleanQuery entriesOf(ModelFingerprint fingerprint) {
    return new BooleanQuery.Builder()
        .add(new TermQuery(new Term(Fields.KIND, Fields.ENTRY)), BooleanClause.Occur.FILTER)
        .add(new TermQuery(new Term(Fields.FP, fingerprint.hex())), BooleanClause.Occur.FILTER)
        .build();
  }

  @Override
  public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
    ensureOpen();
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(visitor, "visitor");
    withReader(
        reader -> {
          visit(
              reader,
              fingerprint,
              ENTRY_FIELDS,
              (r, doc, d) -> {
                BytesRef key = d.getBinaryValue(Fields.KEY);
                Role role = Role.fromCode((byte) d.get(Fields.ROLE).charAt(0));
                visitor.visit(
                    new CacheEntry(
                        CacheKey.ofBytes(key.bytes, key.offset),
                        fingerprint,
                        role,
                        decode(d.getBinaryValue(Fields.VEC))));
                return true;
              });
          return null;
        });
  }

  interface StoredVisitor {
    boolean visit(LeafReader reader, int doc, Document stored) throws IOException;
  }

  /** Visits the live entries of one model in doc-id order until the visitor returns false. */
  static void visit(IndexReader reader, ModelFingerprint fp, Set<String> fields, StoredVisitor v)
      throws IOException {
    BytesRef term = new BytesRef(fp.hex());
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafReader r = leaf.reader();
      Terms t = r.terms(Fields.FP);
      if (t == null) {
        continue;
      }
      TermsEnum te = t.iterator();
      if (!te.seekExact(term)) {
        continue;
      }
      PostingsEnum pe = te.postings(null, PostingsEnum.NONE);
      Bits live = r.getLiveDocs();
      StoredFields stored = r.storedFields();
      for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
        if ((live == null || live.get(d)) && !v.visit(r, d, stored.document(d, fields))) {
          return;
        }
      }
    }
  }

  @Override
  public CacheStats stats() throws IOException {
    ensureOpen();
    return withReader(
        reader -> {
          IndexSearcher searcher = new IndexSearcher(reader);
          long entries = 0;
          long bytes = 0;
          for (ModelFingerprint fp : fingerprints(reader)) {
            long n = searcher.count(entriesOf(fp));
            entries += n;
            bytes += n * (CacheKey.BYTES + (long) dimensionOf(reader, fp) * Float.BYTES);
          }
          return new CacheStats(entries, bytes, hits.sum(), misses.sum(), puts.sum(), 0);
        });
  }

  /**
   * The live entries of each model in the cache, by fingerprint.
   *
   * @return one line per model with at least one live entry
   * @throws IOException if the index fails
   */
  public List<ModelEntries> entriesByModel() throws IOException {
    ensureOpen();
    return withReader(reader -> entriesByModel(reader));
  }

  static List<ModelEntries> entriesByModel(IndexReader reader) throws IOException {
    IndexSearcher s = new IndexSearcher(reader);
    List<ModelEntries> out = new ArrayList<>();
    for (ModelFingerprint fp : fingerprints(reader)) {
      BooleanQuery all = entriesOf(fp);
      long queries =
          s.count(
              new BooleanQuery.Builder()
                  .add(all, BooleanClause.Occur.FILTER)
                  .add(
                      new TermQuery(
                          new Term(Fields.ROLE, String.valueOf((char) Role.QUERY.code()))),
                      BooleanClause.Occur.FILTER)
                  .build());
      long total = s.count(all);
      if (total == 0) {
        continue;
      }
      out.add(new ModelEntries(fp, total - queries, queries, dimensionOf(reader, fp)));
    }
    out.sort((a, b) -> Long.compare(b.entries(), a.entries()));
    return out;
  }

  /** The dimension of a model's first live entry, or 0 when it has none. */
  static int dimensionOf(IndexReader reader, ModelFingerprint fp) throws IOException {
    int[] dim = {0};
    visit(
        reader,
        fp,
        VECTOR_ONLY,
        (r, doc, d) -> {
          dim[0] = d.getBinaryValue(Fields.VEC).length / Float.BYTES;
          return false;
        });
    return dim[0];
  }

  /** Every fingerprint with at least one term in the index (some may have only deleted entries). */
  static Set<ModelFingerprint> fingerprints(IndexReader reader) throws IOException {
    Set<ModelFingerprint> out = new HashSet<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      Terms t = leaf.reader().terms(Fields.FP);
      if (t != null) {
        TermsEnum te = t.iterator();
        for (BytesRef b = te.next(); b != null; b = te.next()) {
          out.add(ModelFingerprint.ofHex(b.utf8ToString()));
        }
      }
    }
    return out;
  }

  /**
   * Writes every live vector of one model to a {@code .npy} file ({@code float32 [n, dimension]})
   * and its keys to a text file beside it ({@code vectors.npy} gives {@code vectors.keys}; the
   * format is described on {@link #importVectors}). Reads the cache as of the last put.
   *
   * @param fingerprint the model whose vectors to export
   * @param npy the {@code .npy} file to write (replaced if it exists)
   * @return the vectors written
   * @throws IOException if the cache holds no vectors of that model, or a file cannot be written
   */
  public long exportVectors(ModelFingerprint fingerprint, Path npy) throws IOException {
    ensureOpen();
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(npy, "npy");
    return withReader(
        reader -> VectorFiles.export(reader, fingerprint, npy, VectorFiles.keysFileOf(npy)));
  }

  /**
   * The keys file written beside an exported {@code .npy} file: {@code vectors.npy} gives {@code
   * vectors.keys}.
   *
   * @param npy the {@code .npy} file
   * @return the keys file beside it
   */
  public static Path keysFileOf(Path npy) {
    return VectorFiles.keysFileOf(npy);
  }

  /**
   * Exports one model's vectors from a cache or store folder as of its last commit, without taking
   * its write lock (a writer may have it open) and without a model. See {@link #exportVectors}.
   *
   * @param folder the cache or store folder
   * @param fingerprint the model whose vectors to export
   * @param npy the {@code .npy} file to write; the keys file goes beside it
   * @return the vectors written
   * @throws IOException if the folder holds no such vectors, or a file cannot be written
   */
  public static long exportVectors(Path folder, ModelFingerprint fingerprint, Path npy)
      throws IOException {
    Objects.requireNonNull(fingerprint, "fingerprint");
    try (Directory dir = FSDirectory.open(folder);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      return VectorFiles.export(reader, fingerprint, npy, VectorFiles.keysFileOf(npy));
    }
  }

  /**
   * The live entries of each model in a cache or store folder as of its last commit, read without
   * its write lock.
   *
   * @param folder the cache or store folder
   * @return one line per model, most entries first
   * @throws IOException if the folder holds no index
   */
  public static List<ModelEntries> readEntriesByModel(Path folder) throws IOException {
    try (Directory dir = FSDirectory.open(folder);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      return entriesByModel(reader);
    }
  }

  /**
   * Puts back vectors written by {@link #exportVectors}: the {@code .npy} file and the keys file
   * beside it. The keys file is UTF-8 text; its first line is {@code # embedstore-keys/1
   * fingerprint=HEX dimension=D rows=N}, and line {@code i + 2} holds row {@code i}'s 64-hex-digit
   * cache key and role ({@code D} or {@code Q}) separated by a space. Entries already present are
   * replaced with the imported vector. Like every put, they are durable after the next commit.
   *
   * @param npy the {@code .npy} file
   * @return the vectors imported
   * @throws IOException if a file cannot be read, or the two do not match
   */
  public long importVectors(Path npy) throws IOException {
    ensureOpen();
    Objects.requireNonNull(npy, "npy");
    return VectorFiles.importInto(this, npy, VectorFiles.keysFileOf(npy));
  }

  /**
   * Makes every put durable. A cache inside a {@link LuceneVectorStore} is committed by the store.
   *
   * @throws IOException if the commit fails
   */
  public void commit() throws IOException {
    ensureOpen();
    writer.commit();
  }

  private interface ReaderWork<T> {
    T apply(IndexReader reader) throws IOException;
  }

  /**
   * Runs work on the current near-real-time reader, refreshed first if puts are not yet visible.
   */
  private <T> T withReader(ReaderWork<T> work) throws IOException {
    refreshIfStale();
    IndexSearcher searcher = searchers.acquire();
    try {
      return work.apply(searcher.getIndexReader());
    } finally {
      searchers.release(searcher);
    }
  }

  void markStale() {
    stale.set(true);
  }

  private void refreshIfStale() throws IOException {
    if (stale.getAndSet(false)) {
      searchers.maybeRefreshBlocking();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("LuceneEmbeddingCache is closed");
    }
  }

  /** Commits and closes a cache opened on its own; a store's cache is closed by the store. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsIndex) {
      try {
        searchers.close();
        writer.close();
      } finally {
        if (ownedDirectory != null) {
          ownedDirectory.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "LuceneEmbeddingCache[" + writer.getDirectory() + "]";
  }
}
