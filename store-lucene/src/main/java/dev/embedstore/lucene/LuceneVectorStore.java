package dev.embedstore.lucene;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.internal.CommitData;
import dev.embedstore.lucene.internal.Infos;
import dev.embedstore.lucene.internal.LuceneStoreWriter;
import dev.embedstore.lucene.internal.Maintenance;
import dev.embedstore.lucene.internal.MetadataSchema;
import dev.embedstore.lucene.internal.Rewriter;
import dev.embedstore.lucene.internal.StoreIndex;
import dev.embedstore.lucene.internal.StoreSearcher;
import dev.embedstore.lucene.internal.VectorFiles;
import dev.embedstore.lucene.internal.WriterConfigs;
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
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.Version;

/**
 * A {@link VectorStore} in one Lucene index: documents (split into chunks), an HNSW graph of their
 * vectors, and the embedding cache of every vector the model ever produced.
 *
 * <pre>{@code
 * try (Embedder model = OnnxEmbedder.open("all-minilm-l6-v2");
 *     LuceneVectorStore store = LuceneVectorStore.open(Path.of("my-store"), model)) {
 *   store.upsert(List.of(Document.of("a", "Lucene is a search library.")));
 *   List<SearchHit> hits = store.search(SearchRequest.of("what is lucene", 5));
 * }
 * }</pre>
 *
 * <p>Vectors come through a {@link CachedEmbedder} backed by this index's own {@link
 * LuceneEmbeddingCache}: cache entries and documents are written by one {@code IndexWriter} and
 * committed together, so a document is never visible without its cache entry, and re-creating the
 * store (re-ingesting, deleting and re-adding, {@link #rebuild rebuilding}, upgrading) needs no
 * model calls. An upsert commits every {@link StoreConfig#commitInterval()} embedded texts: a crash
 * loses at most that much model work. The on-disk layout is described in {@code
 * docs/architecture.md} and on the classes of {@code dev.embedstore.lucene.internal} that write it.
 *
 * <p>Beyond {@link VectorStore}: {@link #rebuild} (other HNSW or quantisation settings, no model
 * calls), {@link #migrate} (another model, keeping the old model's entries), {@link #upgrade}
 * (segments of an older Lucene), {@link #forceMerge}, {@link #gc}, {@link #importVectors}, and
 * {@link #open(Directory, Embedder, StoreConfig)} for any Lucene directory.
 *
 * <p><b>NOTE</b>: thread-safe. Searches run concurrently with writes (near-real-time searcher: an
 * upsert's documents are searchable when it returns); writes are serialised. One writer per store:
 * a second one, in this process or another, fails with an error naming the store and its lock.
 *
 * <p>(About 700 lines, nearly half of them the javadoc of the public API: this class is only the
 * facade - locks, lifecycle and delegation; the work is in {@code dev.embedstore.lucene.internal}.)
 */
public final class LuceneVectorStore implements VectorStore {
  /** The store format this version writes and the newest it reads. */
  public static final int FORMAT = CommitData.FORMAT;

  private static final Set<SearchMode> MODES = Set.copyOf(EnumSet.allOf(SearchMode.class));

  /**
   * Stores up to this size have every segment's checksum verified when opened (about 5-15 ms for 25
   * MB from the page cache); larger ones are not, since that reads every byte (seconds at a million
   * documents): {@link StoreCheck} verifies them, and Lucene still checks each file's header and
   * footer as it opens it.
   */
  public static final long VERIFY_ON_OPEN_MAX_BYTES = 64L << 20;

  private final String name;
  private final Embedder model;
  private final StoreIndex index;
  private final MetadataSchema schema = new MetadataSchema();
  private final LuceneEmbeddingCache cache;
  private final CachedEmbedder embedder;
  private final LuceneStoreWriter writer;
  private final Upserter upserter;
  private final StoreSearcher searcher;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock writes = new ReentrantLock();
  private final boolean readOnly;
  private volatile StoreConfig config;
  private boolean closed;

  private LuceneVectorStore(
      Directory directory,
      boolean ownsDirectory,
      String name,
      Embedder model,
      StoreConfig requested,
      boolean persistQueries,
      boolean checkModel,
      boolean readOnly)
      throws IOException {
    this.name = name;
    this.model = model;
    this.readOnly = readOnly;
    boolean success = false;
    StoreIndex opened = null;
    try {
      Map<String, String> committed = CommitData.read(directory, name);
      boolean existing = !committed.isEmpty();
      if (readOnly && !existing) {
        throw new java.nio.file.NoSuchFileException(name, null, "no store there to open read-only");
      }
      if (existing) {
        if (checkModel) {
          CommitData.checkModel(committed, model, name);
        }
        StoreConfig stored = CommitData.config(committed);
        this.config =
            requested == null ? stored : stored.withCommitInterval(requested.commitInterval());
        schema.putAll(CommitData.schema(committed));
      } else {
        this.config = requested == null ? StoreConfig.DEFAULT : requested;
      }
      opened =
          readOnly
              ? StoreIndex.openReadOnly(directory, ownsDirectory, name)
              : StoreIndex.open(directory, ownsDirectory, WriterConfigs.of(config), name);
      this.index = opened;
      verifyIntegrity();
      this.cache = new LuceneEmbeddingCache(index, false);
      CachedEmbedder.Builder b = CachedEmbedder.builder(model, cache);
      if (persistQueries) {
        b.persistQueries();
      }
      this.embedder = b.build();
      this.writer = new LuceneStoreWriter(index, schema, this::userData);
      this.upserter = new Upserter(writer, embedder, cache, model, "store " + name);
      this.searcher = new StoreSearcher(index, schema, embedder, model);
      if (!existing) {
        writer.forceCommit();
      }
      success = true;
    } finally {
      if (!success) {
        if (opened != null) {
          StoreIndex failed = opened;
          IOUtils.closeWhileHandlingException(() -> failed.close(null));
        } else if (ownsDirectory) {
          IOUtils.closeWhileHandlingException(directory);
        }
      }
    }
  }

  /**
   * Opens the store in a folder, creating it (with default settings) if it does not exist.
   *
   * @param folder the folder
   * @param model the model; its fingerprint must match the store's. An {@link
   *     dev.embedstore.embed.ExternalModel} makes a store of the application's own vectors.
   * @return the store; close it
   * @throws IOException if the store cannot be opened or is locked by another writer
   * @throws StoreMismatchException if the store was built with another model
   */
  public static LuceneVectorStore open(Path folder, Embedder model) throws IOException {
    return open(folder, model, null);
  }

  /**
   * Opens the store in a folder. For a new store, {@code config} sets its vector-index settings;
   * for an existing store, the stored settings are kept (see {@link #rebuild}) and only the commit
   * interval is taken from {@code config}.
   *
   * @param folder the folder
   * @param model the model
   * @param config the settings, or null for the defaults (or the stored ones)
   * @return the store; close it
   * @throws IOException if the store cannot be opened or is locked by another writer
   * @throws StoreMismatchException if the store was built with another model
   */
  public static LuceneVectorStore open(Path folder, Embedder model, StoreConfig config)
      throws IOException {
    return open(folder, model, config, false);
  }

  /**
   * Opens the store in a folder, choosing whether query vectors are kept in the store's cache
   * (surviving restarts) rather than only in memory.
   *
   * @param folder the folder
   * @param model the model
   * @param config the settings, or null
   * @param persistQueries whether to persist query vectors
   * @return the store; close it
   * @throws IOException if the store cannot be opened or is locked by another writer
   */
  public static LuceneVectorStore open(
      Path folder, Embedder model, StoreConfig config, boolean persistQueries) throws IOException {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(model, "model");
    Files.createDirectories(folder);
    return new LuceneVectorStore(
        FSDirectory.open(folder),
        true,
        folder.toString(),
        model,
        config,
        persistQueries,
        true,
        false);
  }

  /**
   * Opens an existing store for searching only: no writer and no write lock, so it works while
   * another process writes the store (it sees the store as of its last commit when opened). Every
   * write throws {@link IllegalStateException}; query vectors are kept in memory only. Opening is
   * cheaper than for writing.
   *
   * @param folder the store
   * @param model the model; its fingerprint must match the store's
   * @return the store; close it
   * @throws IOException if there is no store there or it cannot be read
   * @throws StoreMismatchException if the store was built with another model
   */
  public static LuceneVectorStore openReadOnly(Path folder, Embedder model) throws IOException {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(model, "model");
    if (!Files.isDirectory(folder)) {
      throw new java.nio.file.NoSuchFileException(folder.toString(), null, "no store there");
    }
    return new LuceneVectorStore(
        FSDirectory.open(folder), true, folder.toString(), model, null, false, true, true);
  }

  /**
   * Opens a store in any Lucene directory, which the caller keeps and closes after the store.
   *
   * @param directory the directory
   * @param model the model
   * @param config the settings, or null
   * @return the store
   * @throws IOException if the store cannot be opened or is locked by another writer
   */
  public static LuceneVectorStore open(Directory directory, Embedder model, StoreConfig config)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(model, "model");
    return new LuceneVectorStore(
        directory, false, directory.toString(), model, config, false, true, false);
  }

  /**
   * Verifies every segment's checksums before the store is used, so that a damaged file is an error
   * at open rather than a wrong or failed search later. Reads every byte of the index once (about
   * 5-15 ms for the 25 MB SciFact store from the page cache), for stores up to {@link
   * #VERIFY_ON_OPEN_MAX_BYTES}.
   */
  private void verifyIntegrity() throws IOException {
    if (Infos.sizeOnDisk(index.directory()) > VERIFY_ON_OPEN_MAX_BYTES) {
      return;
    }
    IndexSearcher s = index.acquire();
    try {
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        leaf.reader().checkIntegrity();
      }
    } catch (org.apache.lucene.index.CorruptIndexException e) {
      throw new CorruptStoreException(
          "store "
              + name
              + " is damaged ("
              + e.getMessage()
              + "); nothing was changed. 'embedstore check --store "
              + name
              + "' names the damaged segments; 'embedstore cache export --salvage' saves the"
              + " cached vectors of the others",
          e);
    } finally {
      index.release(s);
    }
  }

  private Map<String, String> userData() {
    return CommitData.of(model, config, schema.types());
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  @Override
  public UpsertResult upsert(
      Iterable<? extends Document> documents, TextSplitter splitter, ProgressListener listener)
      throws IOException {
    Objects.requireNonNull(documents, "documents");
    lifecycle.readLock().lock();
    writes.lock();
    try {
      ensureWritable();
      return upserter.upsert(documents, splitter, listener, config.commitInterval());
    } finally {
      writes.unlock();
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void checkStorable(Document document) {
    Objects.requireNonNull(document, "document");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      upserter.check(document, new java.util.HashMap<>());
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public long delete(Collection<String> ids) throws IOException {
    Objects.requireNonNull(ids, "ids");
    List<String> list = new ArrayList<>(ids.size());
    for (String id : ids) {
      list.add(Objects.requireNonNull(id, "ids element"));
    }
    if (list.isEmpty()) {
      return 0;
    }
    return write(
        "delete",
        () ->
            Maintenance.delete(
                index,
                writer,
                new org.apache.lucene.search.TermInSetQuery(
                    dev.embedstore.lucene.internal.Fields.ID,
                    list.stream().map(BytesRef::new).toList())));
  }

  @Override
  public long delete(Filter filter) throws IOException {
    Objects.requireNonNull(filter, "filter");
    return write("delete", () -> Maintenance.delete(index, writer, schema.toQuery(filter)));
  }

  @Override
  public long deleteAll() throws IOException {
    return write("delete", () -> Maintenance.delete(index, writer, null));
  }

  @Override
  public void commit() throws IOException {
    write(
        "commit",
        () -> {
          writer.commit();
          return null;
        });
  }

  @Override
  public void putCacheEntries(Collection<CacheEntry> entries) throws IOException {
    Objects.requireNonNull(entries, "entries");
    write(
        "putCacheEntries",
        () -> {
          cache.putAll(entries);
          return null;
        });
  }

  /**
   * Puts vectors exported by {@code cache export} ({@link LuceneEmbeddingCache#exportVectors}: a
   * {@code .npy} file and the keys file beside it) into the store's cache, and commits: indexing
   * the same texts with the same model then embeds nothing.
   *
   * @param npy the {@code .npy} file
   * @return the vectors imported
   * @throws IOException if a file cannot be read, the two do not match, or the store fails
   */
  public long importVectors(Path npy) throws IOException {
    Objects.requireNonNull(npy, "npy");
    return write(
        "import",
        () -> {
          long n = VectorFiles.importInto(cache::putAll, npy, VectorFiles.keysFileOf(npy));
          writer.commit();
          return n;
        });
  }

  /**
   * Removes the current model's document-vector entries that no stored chunk uses. Query entries
   * and other models' entries are kept.
   *
   * @return entries removed
   * @throws IOException if the index fails
   */
  public long gc() throws IOException {
    return write(
        "gc",
        () -> {
          writer.commit();
          IndexSearcher s = index.acquireCurrent();
          List<CacheKey> dead;
          try {
            dead = Maintenance.unusedEntries(s.getIndexReader(), model.fingerprint());
          } finally {
            index.release(s);
          }
          if (!dead.isEmpty()) {
            cache.deleteKeys(dead);
            writer.commit();
          }
          return (long) dead.size();
        });
  }

  /**
   * Merges the index down to at most {@code maxSegments} segments and commits. Each segment has its
   * own HNSW graph that every kNN query searches with k' candidates, so fewer segments answer
   * faster at the same k' but find fewer of the true neighbours: on SciFact, 27 segments gave
   * recall@10 1.0 at k'=10, one segment 0.87 at k'=10 and 0.99 at k'=80 (docs/benchmarks.md). Raise
   * the oversampling after merging. Searches go on meanwhile.
   *
   * <p><b>NOTE</b>: costly: it rewrites the index (and rebuilds the HNSW graphs of merged
   * segments), about as long as indexing the vectors took. Worth it after a bulk load, not after
   * small updates.
   *
   * @param maxSegments the most segments to leave, at least 1
   * @throws IOException if the merge or the commit fails
   */
  public void forceMerge(int maxSegments) throws IOException {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("maxSegments must be >= 1; maxSegments=" + maxSegments);
    }
    write(
        "forceMerge",
        () -> {
          index.writer().forceMerge(maxSegments);
          index.changed();
          writer.forceCommit();
          return null;
        });
  }

  /**
   * Re-creates the whole index with other HNSW or quantisation settings, from the cached vectors:
   * no model calls (a chunk whose entry was removed from the cache is embedded again). Searches
   * wait while it runs. A crash during the rebuild leaves the store at its previous commit; a
   * failure leaves it there too, and closed to further use until it is reopened.
   *
   * @param newConfig the new settings
   * @return texts the model had to embed (0 unless cache entries were removed)
   * @throws IOException if the index fails
   */
  public long rebuild(StoreConfig newConfig) throws IOException {
    Objects.requireNonNull(newConfig, "newConfig");
    return rewrite(newConfig, true);
  }

  private long rewrite(StoreConfig newConfig, boolean sameModel) throws IOException {
    lifecycle.writeLock().lock();
    try {
      ensureWritable();
      StoreConfig before = config;
      config = newConfig;
      try {
        return Rewriter.rewrite(index, writer, embedder, newConfig, sameModel);
      } catch (IOException | RuntimeException e) {
        config = before;
        throw e;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Moves a store to another model: every chunk is embedded with the new model (through the store's
   * cache, so texts it has seen are free) and the store then belongs to the new model. The old
   * model's cache entries are kept: migrating back costs no model calls.
   *
   * @param folder the store
   * @param newModel the model to move to
   * @return the store, open with the new model
   * @throws IOException if the index or the model fails
   */
  public static LuceneVectorStore migrate(Path folder, Embedder newModel) throws IOException {
    Objects.requireNonNull(newModel, "newModel");
    LuceneVectorStore store =
        new LuceneVectorStore(
            FSDirectory.open(folder), true, folder.toString(), newModel, null, false, false, false);
    boolean success = false;
    try {
      store.rewrite(store.config, false);
      success = true;
      return store;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(store::close);
      }
    }
  }

  /**
   * Rewrites every segment written by an older Lucene version (such as 9.x) with the current codec,
   * in place, keeping the store's vector settings. Needs no model. Reading an old store works
   * without it; upgrading makes it readable by future versions.
   *
   * @param folder the store
   * @throws IOException if the store is locked or cannot be rewritten
   */
  public static void upgrade(Path folder) throws IOException {
    Rewriter.upgrade(folder);
  }

  /** Work done under the write lock on an open store. */
  private interface WriteWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs work under the write lock on an open store. A closed or failed store refuses with an
   * {@link IllegalStateException}; an IOException (or the loss of the writer) comes out as an
   * IOException naming the store and the operation.
   */
  private <T> T write(String operation, WriteWork<T> work) throws IOException {
    lifecycle.readLock().lock();
    writes.lock();
    try {
      ensureWritable();
      try {
        return work.run();
      } catch (IOException e) {
        throw index.failed(operation, e);
      } catch (RuntimeException e) {
        if (index.lost()) {
          throw index.failed(operation, e);
        }
        throw e;
      }
    } finally {
      writes.unlock();
      lifecycle.readLock().unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  @Override
  public List<SearchHit> search(SearchRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return searcher.search(request);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public Set<SearchMode> searchModes() {
    return MODES;
  }

  @Override
  public Optional<Document> get(String id) throws IOException {
    Objects.requireNonNull(id, "id");
    return read(() -> searcher.get(id));
  }

  @Override
  public Stream<String> ids(Filter filter) throws IOException {
    return read(() -> searcher.ids(filter == null ? null : schema.toQuery(filter)));
  }

  @Override
  public long count() throws IOException {
    return read(() -> searcher.count(LuceneStoreWriter.HEADS));
  }

  /**
   * The number of chunks (vectors in the graph).
   *
   * @return chunks stored
   * @throws IOException if the index fails
   */
  public long chunkCount() throws IOException {
    return read(
        () ->
            searcher.count(
                new TermQuery(
                    new Term(
                        dev.embedstore.lucene.internal.Fields.KIND,
                        dev.embedstore.lucene.internal.Fields.CHUNK))));
  }

  private <T> T read(WriteWork<T> work) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return work.run();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public CachedEmbedder.Outcome embed(List<String> texts, Role role) throws IOException {
    return read(() -> embedder.lookupOrEmbed(texts, role));
  }

  @Override
  public CachedEmbedder.Stats embedderStats() {
    return embedder.stats();
  }

  @Override
  public EmbeddingCache cache() {
    return new ReadOnlyCache(cache, name);
  }

  /**
   * The live entries of each model in the store's cache.
   *
   * @return one line per model, most entries first
   * @throws IOException if the index fails
   */
  public List<ModelEntries> cacheEntriesByModel() throws IOException {
    return read(cache::entriesByModel);
  }

  /**
   * Writes every live vector of one model in the store's cache, as of now, to a {@code .npy} file
   * and its keys to a file beside it; see {@link LuceneEmbeddingCache#exportVectors}.
   *
   * @param fingerprint the model whose vectors to export
   * @param npy the {@code .npy} file to write
   * @return the vectors written
   * @throws IOException if the cache holds no vectors of that model, or a file cannot be written
   */
  public long exportVectors(dev.embedstore.embed.ModelFingerprint fingerprint, Path npy)
      throws IOException {
    return read(() -> cache.exportVectors(fingerprint, npy));
  }

  /**
   * The store's current settings.
   *
   * @return the settings
   */
  public StoreConfig config() {
    return config;
  }

  /**
   * Reads what a store is without a model and without taking its write lock.
   *
   * @param folder the store
   * @return the store's description
   * @throws IOException if it is not a store or cannot be read
   */
  public static StoreInfo readInfo(Path folder) throws IOException {
    return Infos.read(folder);
  }

  /**
   * Reads the name of the model a store was built with from its last commit, without opening its
   * segments (cheaper than {@link #readInfo}, which opens a reader: commands use it to pick the
   * model before they open the store).
   *
   * @param folder the store
   * @return the model's name, or a model folder's path
   * @throws IOException if it is not a store or cannot be read
   */
  public static String readModelName(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new java.nio.file.NoSuchFileException(folder + " (no store there)");
    }
    String model = commitData(folder).get(CommitData.MODEL);
    if (model == null) {
      throw new IOException(folder + " is not a store (no Lucene index there)");
    }
    return model;
  }

  /**
   * Reads a store's vector-index settings from its last commit, without a model.
   *
   * @param folder the store
   * @return the settings (with the default commit interval)
   * @throws IOException if it is not a store or cannot be read
   */
  public static StoreConfig readConfig(Path folder) throws IOException {
    return CommitData.config(commitData(folder));
  }

  /** The user data of a store's last commit; fails if there is no Lucene index in the folder. */
  private static Map<String, String> commitData(Path folder) throws IOException {
    try (Directory dir = FSDirectory.open(folder)) {
      Map<String, String> ud = CommitData.read(dir, folder.toString());
      if (ud.isEmpty()) {
        throw new IOException(folder + " is not a store (no Lucene index there)");
      }
      return ud;
    }
  }

  @Override
  public StoreInfo info() throws IOException {
    return read(
        () -> {
          IndexSearcher s = index.acquireCurrent();
          try {
            Version oldest = null;
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
              if (leaf.reader() instanceof SegmentReader sr) {
                Version v = sr.getSegmentInfo().info.getVersion();
                if (oldest == null || !v.onOrAfter(oldest)) {
                  oldest = v;
                }
              }
            }
            return Infos.of(
                name,
                userData(),
                config,
                schema.types(),
                s.getIndexReader(),
                Infos.sizeOnDisk(index.directory()),
                oldest);
          } finally {
            index.release(s);
          }
        });
  }

  /** The store's own cache, which writes with the store's writer: for tests in this package. */
  LuceneEmbeddingCache sharedCache() {
    return cache;
  }

  /** The store's name (its folder) for messages. */
  @Override
  public String toString() {
    return "LuceneVectorStore[" + name + ", " + model.modelName() + "]";
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("LuceneVectorStore is closed");
    }
    index.ensureUsable();
  }

  private void ensureWritable() {
    ensureOpen();
    if (readOnly) {
      throw new IllegalStateException(
          "store " + name + " is open read-only; open it with LuceneVectorStore.open to change it");
    }
  }

  /**
   * Commits pending writes and closes the store; idempotent. Waits for running calls. Every part is
   * closed even when another fails; the first failure is thrown with the rest suppressed. The model
   * is the caller's to close.
   */
  @Override
  public void close() throws IOException {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      IOUtils.close(
          embedder::close, cache::close, writer::close, () -> index.close(this::userData));
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
