package dev.embedstore.lucene;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.cache.VectorDimensions;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.lucene.internal.CacheReads;
import dev.embedstore.lucene.internal.CommitData;
import dev.embedstore.lucene.internal.EntryCodec;
import dev.embedstore.lucene.internal.Fields;
import dev.embedstore.lucene.internal.StoreIndex;
import dev.embedstore.lucene.internal.VectorFiles;
import dev.embedstore.lucene.internal.WriterConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * An {@link EmbeddingCache} kept in a Lucene index: one Lucene document per entry, with the 32-byte
 * key indexed for exact lookup and the vector as a stored field of float32 little-endian bytes
 * (bit-exact; the format is on {@code internal.EntryCodec}). Stored fields are the most stable part
 * of a Lucene index, so entries survive any change of vector format, codec or library version.
 *
 * <p>Lookups are batched: keys are sorted, each segment's terms are probed with {@code seekExact}
 * in key order, then the vectors are read in doc-id order. Entries put since the index was last
 * refreshed are served from memory, so a long run of puts and lookups (an ingestion) does not make
 * Lucene flush a tiny segment per lookup; past {@value #MAX_PENDING} such entries the index is
 * refreshed.
 *
 * <p>Use it on its own ({@link #open(Path)}; {@link #commit()} makes puts durable, {@link #close()}
 * commits) or inside a {@link LuceneVectorStore}, which shares its index, commits entries together
 * with the documents that use them, and hands out only a read-only view of it.
 *
 * <p><b>NOTE</b>: thread-safe. A put is visible to every lookup that starts after it returns.
 */
public final class LuceneEmbeddingCache implements EmbeddingCache {
  /** Entries put since the last refresh that are kept in memory before forcing a refresh. */
  static final int MAX_PENDING = 1 << 16;

  private static final Set<String> ENTRY_FIELDS = Set.of(Fields.KEY, Fields.ROLE, Fields.VEC);

  private final StoreIndex index;
  private final boolean ownsIndex;
  private final VectorDimensions dimensions = new VectorDimensions();
  private final Set<ModelFingerprint> dimensionsLoaded = ConcurrentHashMap.newKeySet();

  /** Entries put and not yet (known to be) visible in the searcher, by key. */
  private final Map<CacheKey, Pending> pending = new ConcurrentHashMap<>();

  /** The write generation of the last delete: lookups after it refresh the searcher. */
  private final AtomicLong deletedAt = new AtomicLong(-1);

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private volatile boolean closed;

  private record Pending(long generation, float[] vector) {}

  LuceneEmbeddingCache(StoreIndex index, boolean ownsIndex) {
    this.index = index;
    this.ownsIndex = ownsIndex;
  }

  /**
   * Opens (or creates) a cache in a folder. The folder may hold a store: its entries are the
   * store's cache, and its vector format is kept when Lucene merges segments.
   *
   * @param folder the folder
   * @return the cache; close it
   * @throws IOException if the folder cannot be opened, or another writer holds it
   */
  public static LuceneEmbeddingCache open(Path folder) throws IOException {
    Files.createDirectories(folder);
    return open(FSDirectory.open(folder), true, folder.toString());
  }

  /**
   * Opens (or creates) a cache in a Lucene directory, which the caller keeps and closes.
   *
   * @param directory the directory
   * @return the cache; close it before the directory
   * @throws IOException if it cannot be opened, or another writer holds it
   */
  public static LuceneEmbeddingCache open(Directory directory) throws IOException {
    return open(directory, false, String.valueOf(directory));
  }

  private static LuceneEmbeddingCache open(Directory dir, boolean owned, String name)
      throws IOException {
    boolean success = false;
    try {
      // A store folder keeps its store's codec (and refuses a newer format); a cache has neither.
      Map<String, String> committed =
          DirectoryReader.indexExists(dir)
                  && SegmentInfos.readLatestCommit(dir)
                      .getUserData()
                      .containsKey(CommitData.FORMAT_KEY)
              ? CommitData.read(dir, name)
              : Map.of();
      StoreIndex index = StoreIndex.open(dir, owned, WriterConfigs.forExisting(committed), name);
      success = true;
      return new LuceneEmbeddingCache(index, true);
    } finally {
      if (!success && owned) {
        IOUtils.closeWhileHandlingException(dir);
      }
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
    float[][] out = new float[keys.size()][];
    List<CacheKey> rest = new ArrayList<>();
    List<Integer> restAt = new ArrayList<>();
    boolean hasPending = !pending.isEmpty();
    for (int i = 0; i < keys.size(); i++) {
      Pending p = hasPending ? pending.get(keys.get(i)) : null;
      if (p != null) {
        out[i] = p.vector().clone();
      } else {
        rest.add(keys.get(i));
        restAt.add(i);
      }
    }
    if (!rest.isEmpty()) {
      float[][] found = withReader(false, reader -> CacheReads.lookup(reader, rest));
      for (int j = 0; j < found.length; j++) {
        out[restAt.get(j)] = found[j];
      }
    }
    int n = 0;
    for (float[] v : out) {
      if (v != null) {
        n++;
      }
    }
    hits.add(n);
    misses.add(out.length - n);
    return out;
  }

  @Override
  public void putAll(Collection<CacheEntry> entries) throws IOException {
    ensureOpen();
    Objects.requireNonNull(entries, "entries");
    for (CacheEntry e : entries) {
      if (e != null && dimensionsLoaded.add(e.fingerprint())) {
        int known = withReader(true, reader -> CacheReads.dimensionOf(reader, e.fingerprint()));
        if (known > 0) {
          dimensions.declare(e.fingerprint(), known);
        }
      }
    }
    dimensions.check(entries);
    for (CacheEntry e : entries) {
      index.writer().updateDocument(EntryCodec.keyTerm(e.key()), EntryCodec.toDocument(e));
    }
    long generation = index.changed();
    for (CacheEntry e : entries) {
      pending.put(e.key(), new Pending(generation, e.vector().clone()));
    }
    puts.add(entries.size());
  }

  @Override
  public long invalidate(Collection<CacheKey> keys) throws IOException {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    List<CacheKey> list = new ArrayList<>(new HashSet<>(keys));
    float[][] present = getAll(list);
    long count = 0;
    List<Term> terms = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (present[i] != null) {
        count++;
        terms.add(EntryCodec.keyTerm(list.get(i)));
      }
    }
    if (!terms.isEmpty()) {
      index.writer().deleteDocuments(terms.toArray(Term[]::new));
      deleted(list);
    }
    return count;
  }

  @Override
  public long clear(ModelFingerprint fingerprint) throws IOException {
    ensureOpen();
    Objects.requireNonNull(fingerprint, "fingerprint");
    var q = EntryCodec.entriesOf(fingerprint);
    long count = withReader(true, reader -> (long) new IndexSearcher(reader).count(q));
    index.writer().deleteDocuments(q);
    dimensions.forget(fingerprint);
    dimensionsLoaded.remove(fingerprint);
    pending.clear(); // a clear is rare: the next lookup reads the refreshed index
    deleted(List.of());
    return count;
  }

  /** Records deletes: their keys leave memory, and the next lookup refreshes the searcher. */
  private void deleted(List<CacheKey> keys) {
    for (CacheKey k : keys) {
      pending.remove(k);
    }
    deletedAt.set(index.changed());
  }

  /**
   * Removes document-vector entries by their indexed key terms (the store's gc), in batches.
   *
   * @param keys the keys
   * @throws IOException if the index cannot be written
   */
  void deleteKeys(List<CacheKey> keys) throws IOException {
    for (int from = 0; from < keys.size(); from += 1024) {
      List<CacheKey> batch = keys.subList(from, Math.min(keys.size(), from + 1024));
      index.writer().deleteDocuments(batch.stream().map(EntryCodec::keyTerm).toArray(Term[]::new));
    }
    deleted(keys);
  }

  @Override
  public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
    ensureOpen();
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(visitor, "visitor");
    withReader(
        true,
        reader -> {
          CacheReads.visit(
              reader,
              fingerprint,
              ENTRY_FIELDS,
              (r, doc, d) -> {
                visitor.visit(EntryCodec.entryOf(d, fingerprint));
                return true;
              });
          return null;
        });
  }

  @Override
  public CacheStats stats() throws IOException {
    ensureOpen();
    long[] size = withReader(true, CacheReads::size);
    return new CacheStats(size[0], size[1], hits.sum(), misses.sum(), puts.sum(), 0);
  }

  /**
   * The live entries of each model in the cache, by fingerprint.
   *
   * @return one line per model with at least one live entry, most entries first
   * @throws IOException if the index fails
   */
  public List<ModelEntries> entriesByModel() throws IOException {
    ensureOpen();
    return withReader(true, CacheReads::entriesByModel);
  }

  /**
   * Writes every live vector of one model to a {@code .npy} file ({@code float32 [n, dimension]})
   * and its keys to a text file beside it ({@code vectors.npy} gives {@code vectors.keys}; the
   * format is described on {@link #importVectors}).
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
        true, reader -> VectorFiles.export(reader, fingerprint, npy, VectorFiles.keysFileOf(npy)));
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
      return CacheReads.entriesByModel(reader);
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
    return VectorFiles.importInto(this::putAll, npy, VectorFiles.keysFileOf(npy));
  }

  /**
   * Makes every put durable. A cache inside a {@link LuceneVectorStore} is committed by the store
   * only.
   *
   * @throws IOException if the commit fails
   * @throws IllegalStateException if the cache belongs to a store
   */
  public void commit() throws IOException {
    ensureOpen();
    if (!ownsIndex) {
      throw new IllegalStateException(
          "this cache belongs to store " + index.name() + "; the store commits it");
    }
    index.commit(null);
  }

  private interface ReaderWork<T> {
    T apply(IndexReader reader) throws IOException;
  }

  /**
   * Runs work on a reader. Lookups ({@code current} false) use the searcher as of the last refresh,
   * with the entries put since served from memory, unless a delete or too many puts call for a
   * refresh; everything else reads an index that shows every write.
   */
  private <T> T withReader(boolean current, ReaderWork<T> work) throws IOException {
    boolean refresh =
        current || deletedAt.get() > index.visibleGeneration() || pending.size() > MAX_PENDING;
    IndexSearcher searcher = refresh ? index.acquireCurrent() : index.acquire();
    try {
      return work.apply(searcher.getIndexReader());
    } finally {
      index.release(searcher);
      prune();
    }
  }

  /** Forgets pending entries the searcher shows now. */
  private void prune() {
    if (!pending.isEmpty()) {
      long visible = index.visibleGeneration();
      pending.values().removeIf(p -> p.generation() <= visible);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("LuceneEmbeddingCache is closed");
    }
    index.ensureUsable();
  }

  /** Commits and closes a cache opened on its own; a store's cache is closed by the store. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    pending.clear();
    if (ownsIndex) {
      index.close(null);
    }
  }

  /** The index, for tests in this package. */
  StoreIndex index() {
    return index;
  }

  @Override
  public String toString() {
    return "LuceneEmbeddingCache[" + index.name() + "]";
  }
}
