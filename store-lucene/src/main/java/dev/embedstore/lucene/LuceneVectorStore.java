package dev.embedstore.lucene;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.ProgressListener;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexUpgrader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * A vector store in one Lucene index: documents (split into chunks), an HNSW graph of their
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
 * loses at most that much model work.
 *
 * <p>The last commit records the store format, the model's fingerprint, name and dimension, and the
 * vector-index settings. Opening a store with another model's embedder throws {@link
 * StoreMismatchException} naming both; {@link #migrate} moves a store to another model and keeps
 * the old model's cache entries, so moving back costs nothing.
 *
 * <p><b>NOTE</b>: thread-safe. Searches run concurrently with writes (near-real-time searcher);
 * writes are serialised. One writer per store: a second one, in this process or another, fails with
 * an error naming the store and its lock.
 */
public final class LuceneVectorStore implements AutoCloseable {
  /** The store format this version writes and the newest it reads. */
  public static final int FORMAT = 1;

  /** The library version recorded in commits. */
  public static final String LIBRARY_VERSION = "0.1.0";

  static final String UD_FORMAT = "embedstore.format";
  static final String UD_FINGERPRINT = "embedstore.fingerprint";
  static final String UD_MODEL = "embedstore.model";
  static final String UD_DIMENSION = "embedstore.dimension";
  static final String UD_SIMILARITY = "embedstore.similarity";
  static final String UD_HNSW_M = "embedstore.hnsw.m";
  static final String UD_BEAM_WIDTH = "embedstore.hnsw.beam_width";
  static final String UD_QUANTIZATION = "embedstore.quantization";
  static final String UD_SCHEMA = "embedstore.schema";
  static final String UD_LIBRARY = "embedstore.library_version";

  private static final int UPSERT_BATCH = 256;
  private static final int MAX_UNSEEN_HASHES = 1 << 16;
  private static final int RRF_K = 60;
  private static final Set<String> ID_ONLY = Set.of(Fields.ID);

  /** Each document's first chunk: counting these counts documents. */
  private static final Query HEADS = new TermQuery(new Term(Fields.HEAD, "1"));

  private final Directory directory;
  private final boolean ownsDirectory;
  private final String name;
  private final Embedder model;
  private final StoreCodec codec;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final LuceneEmbeddingCache cache;
  private final CachedEmbedder embedder;
  private final MetadataSchema schema = new MetadataSchema();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock writes = new ReentrantLock();

  /**
   * Content hashes of documents an upsert wrote that the searcher may not show yet. Looking them up
   * here instead of refreshing the searcher before each batch keeps Lucene from flushing a tiny
   * segment (and HNSW graph) per batch. Guarded by {@link #writes}; emptied by every refresh.
   */
  private final Map<String, String> unseenHashes = new HashMap<>();

  private volatile StoreConfig config;
  private volatile boolean dirty;
  private boolean closed;
  private volatile IOException failure;

  private LuceneVectorStore(
      Directory directory,
      boolean ownsDirectory,
      String name,
      Embedder model,
      StoreConfig config,
      boolean persistQueries,
      boolean checkModel)
      throws IOException {
    this.directory = directory;
    this.ownsDirectory = ownsDirectory;
    this.name = name;
    this.model = model;
    Map<String, String> committed = committedUserData(directory, name);
    boolean existing = !committed.isEmpty();
    if (existing) {
      if (checkModel) {
        checkModel(committed, model, name);
      }
      StoreConfig stored = configOf(committed);
      this.config = config == null ? stored : stored.withCommitInterval(config.commitInterval());
      schema.putAll(MetadataSchema.decode(committed.getOrDefault(UD_SCHEMA, "")));
    } else {
      this.config = config == null ? StoreConfig.DEFAULT : config;
    }
    this.codec = new StoreCodec(format(this.config));
    IndexWriterConfig iwc = new IndexWriterConfig(new StandardAnalyzer());
    iwc.setCodec(codec);
    iwc.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    iwc.setRAMBufferSizeMB(64);
    iwc.setMergeScheduler(new QuietMergeScheduler());
    this.writer = openWriter(directory, iwc, name);
    SearcherManager opened = null;
    try {
      opened = new SearcherManager(writer, null);
      verifyIntegrity(opened, name);
      this.searchers = opened;
      this.cache = new LuceneEmbeddingCache(writer, searchers);
      CachedEmbedder.Builder b =
          CachedEmbedder.builder(model, cache).batchSize(CachedEmbedder.DEFAULT_BATCH_SIZE);
      if (persistQueries) {
        b.persistQueries();
      }
      this.embedder = b.build();
      if (!existing) {
        commitLocked();
      }
    } catch (IOException | RuntimeException e) {
      org.apache.lucene.util.IOUtils.closeWhileHandlingException(opened);
      writer.rollback();
      throw e;
    }
  }

  /**
   * Opens the store in a folder, creating it (with default settings) if it does not exist.
   *
   * @param folder the folder
   * @param model the embedder; its fingerprint must match the store's
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
   * @param model the embedder
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
   * @param model the embedder
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
    Directory dir = FSDirectory.open(folder);
    try {
      return new LuceneVectorStore(
          dir, true, folder.toString(), model, config, persistQueries, true);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /**
   * Opens a store in any Lucene directory, which the caller keeps and closes after the store.
   *
   * @param directory the directory
   * @param model the embedder
   * @param config the settings, or null
   * @return the store
   * @throws IOException if the store cannot be opened or is locked by another writer
   */
  public static LuceneVectorStore open(Directory directory, Embedder model, StoreConfig config)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(model, "model");
    return new LuceneVectorStore(
        directory, false, directory.toString(), model, config, false, true);
  }

  static IndexWriter openWriter(Directory dir, IndexWriterConfig iwc, String name)
      throws IOException {
    try {
      return new IndexWriter(dir, iwc);
    } catch (LockObtainFailedException e) {
      throw new LockObtainFailedException(
          "store "
              + name
              + " is already open for writing (its write.lock is held by this or another"
              + " process); close the other writer first",
          e);
    }
  }

  /**
   * Verifies every segment's checksums before the store is used, so that a damaged file is an error
   * at open rather than a wrong or failed search later. Reads every byte of the index once (about
   * 5-15 ms for the 25 MB SciFact store from the page cache).
   */
  private static void verifyIntegrity(SearcherManager searchers, String name) throws IOException {
    IndexSearcher s = searchers.acquire();
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
      searchers.release(s);
    }
  }

  private static Map<String, String> committedUserData(Directory dir, String name)
      throws IOException {
    if (!DirectoryReader.indexExists(dir)) {
      return Map.of();
    }
    Map<String, String> ud = SegmentInfos.readLatestCommit(dir).getUserData();
    if (!ud.containsKey(UD_FORMAT)) {
      throw new IOException(
          name
              + " holds a Lucene index that is not an Embedstore store (no store format recorded)");
    }
    int format = Integer.parseInt(ud.get(UD_FORMAT));
    if (format > FORMAT) {
      throw new IOException(
          "store "
              + name
              + " has format "
              + format
              + ", newer than this version reads ("
              + FORMAT
              + "); upgrade Embedstore");
    }
    return ud;
  }

  private static void checkModel(Map<String, String> ud, Embedder model, String name) {
    String fp = ud.get(UD_FINGERPRINT);
    if (!model.fingerprint().hex().equals(fp)) {
      throw new StoreMismatchException(
          "store "
              + name
              + " was built with model "
              + ud.get(UD_MODEL)
              + " (fingerprint "
              + fp.substring(0, Math.min(12, fp.length()))
              + "), not "
              + model.modelName()
              + " (fingerprint "
              + model.fingerprint().shortId()
              + "); open it with model "
              + ud.get(UD_MODEL)
              + ", or migrate it to the new model");
    }
  }

  private static StoreConfig configOf(Map<String, String> ud) {
    return new StoreConfig(
        Integer.parseInt(ud.getOrDefault(UD_HNSW_M, "16")),
        Integer.parseInt(ud.getOrDefault(UD_BEAM_WIDTH, "100")),
        Quantization.valueOf(ud.getOrDefault(UD_QUANTIZATION, "NONE")),
        StoreConfig.DEFAULT.commitInterval());
  }

  static KnnVectorsFormat format(StoreConfig c) {
    return switch (c.quantization()) {
      case NONE -> new Lucene99HnswVectorsFormat(c.hnswM(), c.beamWidth());
      case INT8 ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.UNSIGNED_BYTE, c.hnswM(), c.beamWidth());
      case INT4 ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.PACKED_NIBBLE, c.hnswM(), c.beamWidth());
      case BINARY ->
          new Lucene104HnswScalarQuantizedVectorsFormat(
              ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, c.hnswM(), c.beamWidth());
    };
  }

  /**
   * Background merges whose failure is not printed by the merge thread: Lucene records it as the
   * writer's tragic exception, and the store's next write reports it, naming the store.
   */
  private static final class QuietMergeScheduler extends ConcurrentMergeScheduler {
    @Override
    protected void handleMergeException(Throwable exc) {
      // Recorded by IndexWriter.tragicEvent; reported by the next write (see writeFailed).
    }
  }

  /**
   * The current codec with this store's vector format. The format can change ({@link #rebuild});
   * segments record their format by name, so older segments stay readable.
   */
  private static final class StoreCodec extends Lucene104Codec {
    private volatile KnnVectorsFormat vectors;

    StoreCodec(KnnVectorsFormat vectors) {
      this.vectors = vectors;
    }

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
      return vectors;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Adds or replaces documents, one vector each. See {@link #upsert(Iterable, TextSplitter,
   * ProgressListener)} for what a failure leaves.
   *
   * @param documents the documents
   * @return what happened
   * @throws IOException if the index or the model fails
   * @throws IllegalArgumentException if a document cannot be stored ({@link #checkStorable})
   */
  public UpsertResult upsert(List<Document> documents) throws IOException {
    return upsert(documents, null, null);
  }

  /**
   * Adds or replaces documents from a sequence of any length, in bounded memory. A document
   * identical to the stored one (text, title, metadata and chunking) is left alone; a changed one
   * is replaced whole, and its unchanged chunks come from the cache. Within one call, the last
   * document with an id wins.
   *
   * <p>Documents are taken in batches of 256: each batch is checked, embedded, then written. When
   * the call fails (bad document, model failure, full disk), the batches before the failing one are
   * committed and nothing of it or after it is written, so a call of up to 256 documents is all or
   * nothing, and a longer one can be resumed by running it again: what was committed comes back
   * unchanged, at no model cost. Vectors the model produced for the failing batch stay in the
   * cache. Only when Lucene itself loses the writer (a failed flush or commit) does the store drop
   * back to its last commit and refuse further use until it is reopened.
   *
   * @param documents the documents
   * @param splitter splits each text into chunks, one vector each; null for one vector per document
   * @param listener told of progress after each batch, or null
   * @return what happened
   * @throws IOException if the index or the model fails; the message names the store and how many
   *     documents of this call were committed
   * @throws IllegalArgumentException if a document cannot be stored ({@link #checkStorable}) or
   *     gives a metadata field another type than the store holds
   */
  public UpsertResult upsert(
      Iterable<? extends Document> documents, TextSplitter splitter, ProgressListener listener)
      throws IOException {
    Objects.requireNonNull(documents, "documents");
    long t0 = System.nanoTime();
    lifecycle.readLock().lock();
    writes.lock();
    Counts c = new Counts();
    try {
      ensureOpen();
      refreshIfDirty(); // once per call: later batches look up what this call wrote in unseenHashes
      unseenHashes.clear();
      List<Document> batch = new ArrayList<>(UPSERT_BATCH);
      Iterator<? extends Document> it = documents.iterator();
      long index = 0;
      while (it.hasNext()) {
        Document d = it.next();
        if (d == null) {
          throw new NullPointerException("documents[" + index + "]");
        }
        index++;
        batch.add(d);
        if (batch.size() == UPSERT_BATCH) {
          upsertBatch(batch, splitter, c);
          c.written += batch.size();
          batch.clear();
          if (listener != null) {
            listener.progress(c.documents, c.embedded, c.cacheHits);
          }
        }
      }
      if (!batch.isEmpty()) {
        upsertBatch(batch, splitter, c);
        c.written += batch.size();
        if (listener != null) {
          listener.progress(c.documents, c.embedded, c.cacheHits);
        }
      }
      if (dirty) {
        commitLocked();
      }
      return new UpsertResult(
          c.documents,
          c.added,
          c.updated,
          c.unchanged,
          c.chunks,
          c.embedded,
          c.cacheHits,
          0,
          System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      throw upsertFailed(e, c.written);
    } finally {
      writes.unlock();
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Leaves a failed upsert's earlier batches committed (each of their documents is whole, after its
   * cache entries) and returns the failure to throw: an IOException naming the store and what was
   * kept. A runtime exception that is not the writer's (a bad document, a closed store, the model)
   * is thrown as it is.
   */
  private IOException upsertFailed(Exception e, long written) {
    boolean lost = !writer.isOpen() || writer.getTragicException() != null;
    if (!lost && dirty) {
      try {
        commitLocked();
      } catch (IOException | RuntimeException commitFailure) {
        commitFailure.addSuppressed(e);
        return writeFailed("upsert", commitFailure);
      }
    }
    if (lost) {
      return writeFailed("upsert", e);
    }
    if (e instanceof RuntimeException re) {
      throw re;
    }
    return new IOException(
        writeFailed("upsert", e).getMessage()
            + "; the "
            + written
            + " documents before the failing batch are committed",
        e);
  }

  /**
   * Checks that a document can be stored as it is. Lucene indexes the id and each string metadata
   * value as one term, of at most {@value IndexWriter#MAX_TERM_LENGTH} bytes of UTF-8; a longer one
   * belongs in the text. {@link #upsert} checks every document of a batch before writing any.
   *
   * @param d the document
   * @throws IllegalArgumentException naming the document, the field and the size when it cannot
   */
  public static void checkStorable(Document d) {
    int idBytes = utf8Length(d.id());
    if (idBytes > IndexWriter.MAX_TERM_LENGTH) {
      throw new IllegalArgumentException(
          "document "
              + abbreviate(d.id())
              + ": the id is "
              + idBytes
              + " bytes of UTF-8; ids can be at most "
              + IndexWriter.MAX_TERM_LENGTH);
    }
    for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
      List<?> values = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
      for (Object v : values) {
        if (v instanceof String str) {
          int bytes = utf8Length(str);
          if (bytes > IndexWriter.MAX_TERM_LENGTH) {
            throw new IllegalArgumentException(
                "document "
                    + abbreviate(d.id())
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

  /**
   * Checks that a document can be stored ({@link #checkStorable(Document)}) and that its metadata
   * fields have the types a store holds, for checking input before any of it is written.
   *
   * @param d the document
   * @param metadataTypes field types so far, as {@link StoreInfo#metadataTypes()} gives them; the
   *     document's new fields are added to it
   * @throws IllegalArgumentException naming the document and the field when it cannot be stored
   */
  public static void checkStorable(Document d, Map<String, String> metadataTypes) {
    checkStorable(d);
    MetadataSchema.checkTypes(d, Map.of(), metadataTypes);
  }

  private static int utf8Length(String s) {
    return UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length());
  }

  /** An id short enough for a message. */
  static String abbreviate(String id) {
    if (id.length() <= 80) {
      return id;
    }
    int end = Character.isHighSurrogate(id.charAt(59)) ? 59 : 60;
    return id.substring(0, end) + "... (" + id.length() + " chars)";
  }

  private static final class Counts {
    long written;
    long documents;
    long added;
    long updated;
    long unchanged;
    long chunks;
    long embedded;
    long cacheHits;
    long sinceCommit;
  }

  private record Planned(Document doc, String hash, boolean isNew, List<String> chunkTexts) {}

  private void upsertBatch(List<Document> batch, TextSplitter splitter, Counts c)
      throws IOException {
    Map<String, Document> byId = new LinkedHashMap<>();
    for (Document d : batch) {
      byId.remove(d.id());
      byId.put(d.id(), d);
    }
    c.documents += batch.size();
    c.unchanged += batch.size() - byId.size();
    if (unseenHashes.size() > MAX_UNSEEN_HASHES) {
      searchers.maybeRefreshBlocking();
      unseenHashes.clear();
    }
    List<Planned> plan = new ArrayList<>();
    Map<String, String> newTypes = new HashMap<>();
    IndexSearcher searcher = searchers.acquire();
    try {
      for (Document d : byId.values()) {
        String hash = contentHash(d, splitter);
        String stored = unseenHashes.get(d.id());
        if (stored == null) {
          stored = storedHash(searcher, d.id());
        }
        if (hash.equals(stored)) {
          c.unchanged++;
          continue;
        }
        checkStorable(d);
        schema.check(d, newTypes);
        plan.add(new Planned(d, hash, stored == null, chunkTexts(d, splitter)));
      }
    } finally {
      searchers.release(searcher);
    }
    if (plan.isEmpty()) {
      return;
    }
    List<String> texts = new ArrayList<>();
    for (Planned p : plan) {
      for (String chunk : p.chunkTexts()) {
        texts.add(embeddedText(p.doc().title(), chunk));
      }
    }
    CachedEmbedder.Outcome out = embedder.lookupOrEmbed(texts, Role.DOCUMENT);
    schema.putAll(newTypes);
    int at = 0;
    for (Planned p : plan) {
      List<org.apache.lucene.document.Document> docs = new ArrayList<>();
      int n = p.chunkTexts().size();
      for (int i = 0; i < n; i++, at++) {
        StoredChunk chunk =
            new StoredChunk(
                p.doc().id(),
                i,
                n,
                p.chunkTexts().get(i),
                p.doc().title(),
                n > 1 ? p.doc().text() : null,
                out.keys().get(at).bytes(),
                p.hash(),
                p.doc().metadata());
        docs.add(chunk.toLucene(out.vectors().get(at)));
      }
      writer.updateDocuments(new Term(Fields.ID, p.doc().id()), docs);
      unseenHashes.put(p.doc().id(), p.hash());
      c.chunks += n;
      if (p.isNew()) {
        c.added++;
      } else {
        c.updated++;
      }
    }
    dirty = true;
    c.embedded += out.embedded();
    c.cacheHits += out.hits();
    c.sinceCommit += out.embedded();
    if (c.sinceCommit >= config.commitInterval()) {
      commitLocked();
      c.sinceCommit = 0;
    }
  }

  static String embeddedText(String title, String chunk) {
    return title == null || title.isEmpty() ? chunk : title + " " + chunk;
  }

  private static List<String> chunkTexts(Document d, TextSplitter splitter) {
    if (splitter == null) {
      return List.of(d.text());
    }
    List<String> out = new ArrayList<>();
    for (TextSplitter.Chunk ch : splitter.split(d.text())) {
      out.add(ch.text());
    }
    if (out.isEmpty()) {
      out.add(d.text());
    }
    return out;
  }

  private static String contentHash(Document d, TextSplitter splitter) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
    put(md, "embedstore-doc/1");
    put(md, splitter == null ? "whole" : splitter.maxTokens() + "/" + splitter.overlapTokens());
    put(md, d.title() == null ? "\u0000none" : d.title());
    put(md, d.text());
    for (Map.Entry<String, Object> e : new TreeMap<>(d.metadata()).entrySet()) {
      put(md, e.getKey());
      put(md, MetadataSchema.typeOf(e.getValue()) + ":" + e.getValue());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void put(MessageDigest md, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    md.update(
        new byte[] {
          (byte) (b.length >>> 24),
          (byte) (b.length >>> 16),
          (byte) (b.length >>> 8),
          (byte) b.length
        });
    md.update(b);
  }

  private static String storedHash(IndexSearcher searcher, String id) throws IOException {
    int head = headOf(searcher, id);
    return head < 0
        ? null
        : searcher.storedFields().document(head, Set.of(Fields.HASH)).get(Fields.HASH);
  }

  /** The doc id of a document's first chunk, or -1 when the store has no such document. */
  private static int headOf(IndexSearcher searcher, String id) throws IOException {
    Query q =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(Fields.ID, id)), Occur.FILTER)
            .add(HEADS, Occur.FILTER)
            .build();
    TopDocs top = searcher.search(q, 1);
    return top.scoreDocs.length == 0 ? -1 : top.scoreDocs[0].doc;
  }

  /**
   * Deletes documents by id. Their vectors stay in the cache.
   *
   * @param ids the ids
   * @return how many documents existed and were deleted
   * @throws IOException if the index fails
   */
  public long delete(Collection<String> ids) throws IOException {
    Objects.requireNonNull(ids, "ids");
    List<BytesRef> terms = new ArrayList<>();
    for (String id : ids) {
      terms.add(new BytesRef(Objects.requireNonNull(id, "ids element")));
    }
    if (terms.isEmpty()) {
      return 0;
    }
    return deleteWhere(new TermInSetQuery(Fields.ID, terms));
  }

  /**
   * Deletes the documents a filter matches. Their vectors stay in the cache.
   *
   * @param filter the filter
   * @return how many documents were deleted
   * @throws IOException if the index fails
   */
  public long deleteByFilter(Filter filter) throws IOException {
    Objects.requireNonNull(filter, "filter");
    return deleteWhere(schema.toQuery(filter));
  }

  private long deleteWhere(Query match) throws IOException {
    return write(
        "delete",
        () -> {
          refreshIfDirty();
          Query chunks =
              new BooleanQuery.Builder()
                  .add(match, Occur.FILTER)
                  .add(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)), Occur.FILTER)
                  .build();
          Query heads =
              new BooleanQuery.Builder().add(chunks, Occur.FILTER).add(HEADS, Occur.FILTER).build();
          IndexSearcher s = searchers.acquire();
          long n;
          try {
            n = s.count(heads);
          } finally {
            searchers.release(s);
          }
          if (n > 0) {
            writer.deleteDocuments(chunks);
            commitLocked();
          }
          return n;
        });
  }

  /**
   * Makes every write durable and visible to searches.
   *
   * @throws IOException if the commit fails
   */
  public void commit() throws IOException {
    write(
        "commit",
        () -> {
          commitLocked();
          return null;
        });
  }

  /** Work done under the write lock on an open store. */
  private interface WriteWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs work under the write lock, with the store open; an IOException or the writer's
   * IllegalStateException comes out through {@link #writeFailed} naming the operation.
   */
  private <T> T write(String operation, WriteWork<T> work) throws IOException {
    lifecycle.readLock().lock();
    writes.lock();
    try {
      ensureOpen();
      return work.run();
    } catch (IOException | IllegalStateException e) {
      throw writeFailed(operation, e);
    } finally {
      writes.unlock();
      lifecycle.readLock().unlock();
    }
  }

  private void commitLocked() throws IOException {
    writer.setLiveCommitData(userData().entrySet());
    writer.commit();
    dirty = false;
    searchers.maybeRefreshBlocking();
    unseenHashes.clear();
    cache.markStale();
  }

  private Map<String, String> userData() {
    Map<String, String> ud = new TreeMap<>();
    ud.put(UD_FORMAT, Integer.toString(FORMAT));
    ud.put(UD_FINGERPRINT, model.fingerprint().hex());
    ud.put(UD_MODEL, model.modelName());
    ud.put(UD_DIMENSION, Integer.toString(model.dimension()));
    ud.put(UD_SIMILARITY, "DOT_PRODUCT");
    ud.put(UD_HNSW_M, Integer.toString(config.hnswM()));
    ud.put(UD_BEAM_WIDTH, Integer.toString(config.beamWidth()));
    ud.put(UD_QUANTIZATION, config.quantization().name());
    ud.put(UD_SCHEMA, schema.encode());
    ud.put(UD_LIBRARY, LIBRARY_VERSION);
    return ud;
  }

  private void refreshIfDirty() throws IOException {
    if (dirty) {
      searchers.maybeRefreshBlocking();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Finds documents.
   *
   * @param request what to find
   * @return up to k documents, best first, each with its best chunk
   * @throws IOException if the index or the model fails
   */
  public List<SearchHit> search(SearchRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      int fetch = request.k() * request.oversample();
      Query filter = request.filter() == null ? null : schema.toQuery(request.filter());
      IndexSearcher s = searchers.acquire();
      try {
        LinkedHashMap<String, Ranked> ranked =
            switch (request.mode()) {
              case VECTOR -> vector(s, request.query(), filter, fetch);
              case EXACT -> exact(s, request.query(), filter, fetch);
              case KEYWORD -> fold(s, s.search(keyword(request.query(), filter), fetch), false);
              case HYBRID -> hybrid(s, request.query(), filter, Math.max(fetch, 100));
            };
        List<SearchHit> hits = new ArrayList<>(request.k());
        StoredFields stored = s.storedFields();
        for (Ranked r : ranked.values()) {
          if (hits.size() == request.k()) {
            break;
          }
          StoredChunk c = StoredChunk.of(stored.document(r.doc()));
          hits.add(
              new SearchHit(c.id(), r.score(), c.ordinal(), c.text(), c.title(), c.metadata()));
        }
        return hits;
      } finally {
        searchers.release(s);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private record Ranked(int doc, float score) {}

  private float[] queryVector(String query) throws IOException {
    return embedder.embed(List.of(query), Role.QUERY).get(0);
  }

  private LinkedHashMap<String, Ranked> vector(
      IndexSearcher s, String query, Query filter, int fetch) throws IOException {
    float[] q = queryVector(query);
    TopDocs top = s.search(new KnnFloatVectorQuery(Fields.VECTOR, q, fetch, filter), fetch);
    return fold(s, top, true);
  }

  /** Keeps each document's best chunk, in rank order; vector scores become cosines. */
  private static LinkedHashMap<String, Ranked> fold(IndexSearcher s, TopDocs top, boolean cosine)
      throws IOException {
    ScoreDoc[] hits = top.scoreDocs;
    // Resolve ids in doc-id order: doc values iterators only move forward, and a fresh one per
    // backward step costs more than the kNN search itself.
    Integer[] byDoc = new Integer[hits.length];
    for (int i = 0; i < hits.length; i++) {
      byDoc[i] = i;
    }
    Arrays.sort(byDoc, Comparator.comparingInt(i -> hits[i].doc));
    String[] ids = new String[hits.length];
    DocumentIds resolver = new DocumentIds(s);
    for (int i : byDoc) {
      ids[i] = resolver.of(hits[i].doc);
    }
    LinkedHashMap<String, Ranked> out = new LinkedHashMap<>();
    for (int i = 0; i < hits.length; i++) {
      float score = cosine ? 2 * hits[i].score - 1 : hits[i].score;
      out.putIfAbsent(ids[i], new Ranked(hits[i].doc, score));
    }
    return out;
  }

  /**
   * Reads chunks' document ids from doc values: a stored-fields read would decompress a whole block
   * (cache entries' vectors included) per hit. Segments written before the ids had doc values fall
   * back to stored fields.
   */
  private static final class DocumentIds {
    private final IndexSearcher searcher;
    private final List<LeafReaderContext> leaves;
    private final SortedDocValues[] values;
    private StoredFields stored;

    DocumentIds(IndexSearcher searcher) {
      this.searcher = searcher;
      this.leaves = searcher.getIndexReader().leaves();
      this.values = new SortedDocValues[leaves.size()];
    }

    String of(int doc) throws IOException {
      int i = ReaderUtil.subIndex(doc, leaves);
      LeafReaderContext leaf = leaves.get(i);
      // A SortedDocValues iterator only moves forward: take a fresh one when going back.
      if (values[i] == null || values[i].docID() > doc - leaf.docBase) {
        values[i] = leaf.reader().getSortedDocValues(Fields.ID_VALUES);
      }
      SortedDocValues v = values[i];
      if (v != null && v.advanceExact(doc - leaf.docBase)) {
        return v.lookupOrd(v.ordValue()).utf8ToString();
      }
      if (stored == null) {
        stored = searcher.storedFields();
      }
      return stored.document(doc, ID_ONLY).get(Fields.ID);
    }
  }

  private LinkedHashMap<String, Ranked> exact(
      IndexSearcher s, String query, Query filter, int fetch) throws IOException {
    float[] q = queryVector(query);
    Weight w =
        filter == null ? null : s.createWeight(s.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    PriorityQueue<ScoreDoc> heap =
        new PriorityQueue<>(Comparator.comparingDouble((ScoreDoc d) -> d.score));
    for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(Fields.VECTOR);
      if (values == null) {
        continue;
      }
      DocIdSetIterator allowed = null;
      if (w != null) {
        ScorerSupplier ss = w.scorerSupplier(leaf);
        if (ss == null) {
          continue;
        }
        Scorer scorer = ss.get(Long.MAX_VALUE);
        allowed = scorer.iterator();
      }
      Bits live = leaf.reader().getLiveDocs();
      KnnVectorValues.DocIndexIterator it = values.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (allowed != null) {
          if (allowed.docID() < doc) {
            allowed.advance(doc);
          }
          if (allowed.docID() != doc) {
            continue;
          }
        }
        float score =
            VectorSimilarityFunction.DOT_PRODUCT.compare(q, values.vectorValue(it.index()));
        if (heap.size() < fetch) {
          heap.add(new ScoreDoc(leaf.docBase + doc, score));
        } else if (score > heap.peek().score) {
          heap.poll();
          heap.add(new ScoreDoc(leaf.docBase + doc, score));
        }
      }
    }
    ScoreDoc[] sorted = heap.toArray(ScoreDoc[]::new);
    java.util.Arrays.sort(
        sorted,
        (a, b) ->
            a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return fold(s, new TopDocs(null, sorted), true);
  }

  private static Query keyword(String query, Query filter) throws IOException {
    BooleanQuery.Builder terms = new BooleanQuery.Builder();
    int n = 0;
    try (Analyzer analyzer = new StandardAnalyzer();
        TokenStream ts = analyzer.tokenStream(Fields.TEXT, query)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      Set<String> seen = new HashSet<>();
      while (ts.incrementToken()) {
        String t = term.toString();
        if (seen.add(t) && n < IndexSearcher.getMaxClauseCount() / 2 - 1) {
          terms.add(new TermQuery(new Term(Fields.TEXT, t)), Occur.SHOULD);
          terms.add(new TermQuery(new Term(Fields.TITLE, t)), Occur.SHOULD);
          n++;
        }
      }
      ts.end();
    }
    if (n == 0) {
      return new MatchNoDocsQuery("the query has no terms");
    }
    BooleanQuery.Builder q = new BooleanQuery.Builder().add(terms.build(), Occur.MUST);
    if (filter != null) {
      q.add(filter, Occur.FILTER);
    }
    return q.build();
  }

  private LinkedHashMap<String, Ranked> hybrid(
      IndexSearcher s, String query, Query filter, int fetch) throws IOException {
    LinkedHashMap<String, Ranked> v = vector(s, query, filter, fetch);
    LinkedHashMap<String, Ranked> k = fold(s, s.search(keyword(query, filter), fetch), false);
    Map<String, Float> fused = new HashMap<>();
    Map<String, Integer> docOf = new HashMap<>();
    for (LinkedHashMap<String, Ranked> list : List.of(v, k)) {
      int rank = 0;
      for (Map.Entry<String, Ranked> e : list.entrySet()) {
        rank++;
        fused.merge(e.getKey(), 1f / (RRF_K + rank), Float::sum);
        docOf.putIfAbsent(e.getKey(), e.getValue().doc());
      }
    }
    List<Map.Entry<String, Float>> order = new ArrayList<>(fused.entrySet());
    order.sort(
        (a, b) ->
            !a.getValue().equals(b.getValue())
                ? Float.compare(b.getValue(), a.getValue())
                : a.getKey().compareTo(b.getKey()));
    LinkedHashMap<String, Ranked> out = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : order) {
      out.put(e.getKey(), new Ranked(docOf.get(e.getKey()), e.getValue()));
    }
    return out;
  }

  /**
   * The stored document with an id.
   *
   * @param id the id
   * @return the document, or empty
   * @throws IOException if the index fails
   */
  public Optional<Document> get(String id) throws IOException {
    Objects.requireNonNull(id, "id");
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      refreshIfDirty();
      IndexSearcher s = searchers.acquire();
      try {
        int head = headOf(s, id);
        if (head < 0) {
          return Optional.empty();
        }
        StoredChunk c = StoredChunk.of(s.storedFields().document(head));
        return Optional.of(
            new Document(
                c.id(), c.source() != null ? c.source() : c.text(), c.title(), c.metadata()));
      } finally {
        searchers.release(s);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Lists the ids of the stored documents a filter matches.
   *
   * @param filter the filter, or null for every document
   * @return the ids, in index order
   * @throws IOException if the index fails
   */
  public List<String> ids(Filter filter) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      refreshIfDirty();
      BooleanQuery.Builder q = new BooleanQuery.Builder().add(HEADS, Occur.FILTER);
      if (filter != null) {
        q.add(schema.toQuery(filter), Occur.FILTER);
      }
      IndexSearcher s = searchers.acquire();
      try {
        List<String> out = new ArrayList<>();
        DocumentIds documentIds = new DocumentIds(s);
        Weight w = s.createWeight(s.rewrite(q.build()), ScoreMode.COMPLETE_NO_SCORES, 1f);
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
          ScorerSupplier ss = w.scorerSupplier(leaf);
          if (ss == null) {
            continue;
          }
          DocIdSetIterator it = ss.get(Long.MAX_VALUE).iterator();
          Bits live = leaf.reader().getLiveDocs();
          for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
            if (live == null || live.get(d)) {
              out.add(documentIds.of(leaf.docBase + d)); // ascending: one doc-values pass
            }
          }
        }
        return out;
      } finally {
        searchers.release(s);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The number of documents.
   *
   * @return documents stored
   * @throws IOException if the index fails
   */
  public long count() throws IOException {
    return countOf(HEADS);
  }

  /**
   * The number of chunks (vectors in the graph).
   *
   * @return chunks stored
   * @throws IOException if the index fails
   */
  public long chunkCount() throws IOException {
    return countOf(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)));
  }

  private long countOf(Query q) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      refreshIfDirty();
      IndexSearcher s = searchers.acquire();
      try {
        return s.count(q);
      } finally {
        searchers.release(s);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The store's cache, for export, import and inspection. Writes through it are committed with the
   * store's next commit.
   *
   * @return the cache; closed with the store
   */
  public LuceneEmbeddingCache cache() {
    return cache;
  }

  /**
   * The cached embedder the store embeds with: its stats tell hits and model calls.
   *
   * @return the embedder
   */
  public CachedEmbedder embedder() {
    return embedder;
  }

  /**
   * The cache's size and traffic.
   *
   * @return the stats
   * @throws IOException if the index fails
   */
  public CacheStats cacheStats() throws IOException {
    return cache.stats();
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
   * Removes the current model's document-vector entries that no stored chunk uses. Query entries
   * and other models' entries are kept (clear them with {@link LuceneEmbeddingCache#clear}).
   *
   * @return entries removed
   * @throws IOException if the index fails
   */
  public long gc() throws IOException {
    return write(
        "gc",
        () -> {
          commitLocked();
          IndexSearcher s = searchers.acquire();
          List<Term> dead = new ArrayList<>();
          try {
            IndexReader reader = s.getIndexReader();
            Set<BytesRef> used = new HashSet<>();
            for (LeafReaderContext leaf : reader.leaves()) {
              Terms t = leaf.reader().terms(Fields.VKEY);
              if (t == null) {
                continue;
              }
              Bits live = leaf.reader().getLiveDocs();
              TermsEnum te = t.iterator();
              PostingsEnum pe = null;
              for (BytesRef b = te.next(); b != null; b = te.next()) {
                pe = te.postings(pe, PostingsEnum.NONE);
                for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
                  if (live == null || live.get(d)) {
                    used.add(BytesRef.deepCopyOf(b));
                    break;
                  }
                }
              }
            }
            LuceneEmbeddingCache.visit(
                reader,
                model.fingerprint(),
                Set.of(Fields.KEY, Fields.ROLE),
                (r, doc, d) -> {
                  BytesRef key = d.getBinaryValue(Fields.KEY);
                  if (d.get(Fields.ROLE).charAt(0) == Role.DOCUMENT.code() && !used.contains(key)) {
                    dead.add(new Term(Fields.KEY, BytesRef.deepCopyOf(key)));
                  }
                  return true;
                });
          } finally {
            searchers.release(s);
          }
          for (int from = 0; from < dead.size(); from += 1024) {
            writer.deleteDocuments(
                dead.subList(from, Math.min(dead.size(), from + 1024)).toArray(Term[]::new));
          }
          if (!dead.isEmpty()) {
            commitLocked();
          }
          return dead.size();
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
          writer.forceMerge(maxSegments);
          commitLocked();
          return null;
        });
  }

  /**
   * Re-creates the whole index with other HNSW or quantisation settings, from the cached vectors:
   * no model calls (a chunk whose entry was removed from the cache is embedded again). Searches
   * wait while it runs. A crash during the rebuild leaves the store at its previous commit.
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
    CachedEmbedder with = embedder;
    lifecycle.writeLock().lock();
    try {
      ensureOpen();
      commitLocked();
      long embeddedBefore = with.stats().embedded();
      try (DirectoryReader old = DirectoryReader.open(writer)) {
        codec.vectors = format(newConfig);
        config = newConfig;
        writer.deleteAll();
        for (LeafReaderContext leaf : old.leaves()) {
          LeafReader r = leaf.reader();
          Bits live = r.getLiveDocs();
          StoredFields stored = r.storedFields();
          List<StoredChunk> pending = new ArrayList<>();
          for (int d = 0; d < r.maxDoc(); d++) {
            if (live != null && !live.get(d)) {
              continue;
            }
            org.apache.lucene.document.Document doc = stored.document(d);
            if (doc.getField(Fields.VEC) != null) {
              writer.addDocument(copyEntry(doc));
            } else if (doc.get(Fields.ID) != null) {
              pending.add(StoredChunk.of(doc));
              if (pending.size() == 512) {
                readd(old, pending, sameModel);
                pending.clear();
              }
            }
          }
          readd(old, pending, sameModel);
        }
        commitLocked();
      }
      return with.stats().embedded() - embeddedBefore;
    } catch (IOException | RuntimeException e) {
      // The old documents were deleted in the writer: drop everything back to the last commit.
      failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      writer.rollback();
      throw e;
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private static org.apache.lucene.document.Document copyEntry(
      org.apache.lucene.document.Document stored) {
    org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
    BytesRef key = stored.getBinaryValue(Fields.KEY);
    doc.add(new StringField(Fields.KIND, Fields.ENTRY, Field.Store.NO));
    doc.add(new StringField(Fields.KEY, BytesRef.deepCopyOf(key), Field.Store.YES));
    doc.add(new StringField(Fields.FP, stored.get(Fields.FP), Field.Store.YES));
    doc.add(new StringField(Fields.ROLE, stored.get(Fields.ROLE), Field.Store.YES));
    doc.add(new StoredField(Fields.VEC, BytesRef.deepCopyOf(stored.getBinaryValue(Fields.VEC))));
    return doc;
  }

  /** Re-adds chunks with their cached vectors, read from the old reader (or embedded). */
  private void readd(DirectoryReader old, List<StoredChunk> chunks, boolean sameModel)
      throws IOException {
    if (chunks.isEmpty()) {
      return;
    }
    CachedEmbedder with = embedder;
    float[][] vectors;
    List<CacheKey> keys = new ArrayList<>(chunks.size());
    if (sameModel) {
      for (StoredChunk c : chunks) {
        keys.add(CacheKey.ofBytes(c.vkey(), 0));
      }
      vectors = LuceneEmbeddingCache.lookup(old, keys);
    } else {
      vectors = new float[chunks.size()][];
    }
    List<String> missingTexts = new ArrayList<>();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      if (vectors[i] == null) {
        missing.add(i);
        missingTexts.add(embeddedText(chunks.get(i).title(), chunks.get(i).text()));
      }
    }
    List<byte[]> newKeys = new ArrayList<>();
    if (!missing.isEmpty()) {
      CachedEmbedder.Outcome out = with.lookupOrEmbed(missingTexts, Role.DOCUMENT);
      for (int j = 0; j < missing.size(); j++) {
        vectors[missing.get(j)] = out.vectors().get(j);
        newKeys.add(out.keys().get(j).bytes());
      }
    }
    for (int i = 0, j = 0; i < chunks.size(); i++) {
      StoredChunk c = chunks.get(i);
      if (j < missing.size() && missing.get(j) == i) {
        c = c.withKey(newKeys.get(j++));
      }
      writer.addDocument(c.toLucene(vectors[i]));
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
    Directory dir = FSDirectory.open(folder);
    LuceneVectorStore store;
    try {
      store = new LuceneVectorStore(dir, true, folder.toString(), newModel, null, false, false);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
    try {
      store.rewrite(store.config, false);
      return store;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
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
    try (Directory dir = FSDirectory.open(folder)) {
      Map<String, String> ud = committedUserData(dir, folder.toString());
      IndexWriterConfig iwc = new IndexWriterConfig(new StandardAnalyzer());
      iwc.setCodec(new StoreCodec(format(configOf(ud))));
      new IndexUpgrader(dir, iwc, false).upgrade();
    }
  }

  /**
   * Reads what a store is without a model and without taking its write lock.
   *
   * @param folder the store
   * @return the store's description
   * @throws IOException if it is not a store or cannot be read
   */
  public static StoreInfo readInfo(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new java.nio.file.NoSuchFileException(folder + " (no store there)");
    }
    try (Directory dir = FSDirectory.open(folder)) {
      Map<String, String> ud = committedUserData(dir, folder.toString());
      if (ud.isEmpty()) {
        throw new IOException(folder + " is not a store (no Lucene index there)");
      }
      org.apache.lucene.util.Version oldest =
          SegmentInfos.readLatestCommit(dir).getMinSegmentLuceneVersion();
      long bytes = sizeOnDisk(dir);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher s = new IndexSearcher(reader);
        return new StoreInfo(
            Integer.parseInt(ud.get(UD_FORMAT)),
            ud.get(UD_MODEL),
            ud.get(UD_FINGERPRINT),
            Integer.parseInt(ud.get(UD_DIMENSION)),
            configOf(ud),
            s.count(HEADS),
            s.count(new TermQuery(new Term(Fields.KIND, Fields.CHUNK))),
            s.count(new TermQuery(new Term(Fields.KIND, Fields.ENTRY))),
            bytes,
            (oldest == null ? org.apache.lucene.util.Version.LATEST : oldest).toString(),
            MetadataSchema.sorted(MetadataSchema.decode(ud.getOrDefault(UD_SCHEMA, ""))));
      }
    }
  }

  /** The bytes of a directory's files. */
  private static long sizeOnDisk(Directory dir) throws IOException {
    long bytes = 0;
    for (String file : dir.listAll()) {
      try {
        bytes += dir.fileLength(file);
      } catch (IOException e) {
        // A file may vanish between listing and measuring (a concurrent merge); skip it.
      }
    }
    return bytes;
  }

  /**
   * This store's description.
   *
   * @return what {@link #readInfo} would say after a commit
   * @throws IOException if the index fails
   */
  public StoreInfo info() throws IOException {
    return new StoreInfo(
        FORMAT,
        model.modelName(),
        model.fingerprint().hex(),
        model.dimension(),
        config,
        count(),
        chunkCount(),
        cacheStats().entries(),
        sizeOnDisk(directory),
        org.apache.lucene.util.Version.LATEST.toString(),
        schema.types());
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
    if (failure != null) {
      throw new IllegalStateException(
          "store " + name + " failed to write and was closed at its last commit; reopen it",
          failure);
    }
  }

  /**
   * Turns a failed write into an IOException naming the store. When the failure cost Lucene its
   * writer (a failed flush or commit, a full disk), everything since the last commit is dropped and
   * the store refuses further use: reopened, it is at its last commit, with every document's cache
   * entry. A failure the writer survived leaves the earlier writes of the call pending (each
   * document whole, after its cache entries) for the next commit.
   */
  private IOException writeFailed(String operation, Exception e) {
    boolean lost = !writer.isOpen() || writer.getTragicException() != null;
    if (e instanceof IllegalStateException ise && !lost) {
      throw ise; // not the writer's failure: the caller's misuse (a closed store)
    }
    if (lost) {
      Throwable tragic = writer.getTragicException();
      failure =
          e instanceof IOException io
              ? io
              : new IOException(tragic == null ? e.getMessage() : tragic.getMessage(), e);
      try {
        writer.rollback();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
    Throwable cause = writer.getTragicException() != null ? writer.getTragicException() : e;
    return new IOException(
        "store "
            + name
            + ": "
            + operation
            + " failed: "
            + cause.getMessage()
            + (lost ? "; writes since the last commit were dropped; reopen the store" : ""),
        e);
  }

  /** Commits and closes the store; idempotent. The embedder is the caller's to close. */
  @Override
  public void close() throws IOException {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        embedder.close();
        cache.close();
        searchers.close();
        if (writer.isOpen()) {
          if (dirty) {
            writer.setLiveCommitData(userData().entrySet());
          }
          writer.close();
        }
      } finally {
        if (ownsDirectory) {
          directory.close();
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  static KnnFloatVectorField vectorField(float[] v) {
    return new KnnFloatVectorField(Fields.VECTOR, v, VectorSimilarityFunction.DOT_PRODUCT);
  }

  static TextField textField(String name, String value) {
    return new TextField(name, value, Field.Store.YES);
  }
}
