package dev.embedstore.cache;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.EmbeddingException;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link Embedder} that serves vectors from an {@link EmbeddingCache} and runs the model only
 * for texts it has never embedded.
 *
 * <p>Each call to {@link #embed(List, Role)}:
 *
 * <ol>
 *   <li>derives one {@link CacheKey} per text from the model's fingerprint, the namespace, the role
 *       and the text, so a vector can never be served for another model, role or pipeline version;
 *   <li>looks up the distinct keys in one batched {@link EmbeddingCache#getAll} call;
 *   <li>sends each distinct missing text to the model once, however often it repeats in the call,
 *       in batches of {@link Builder#batchSize(int) batchSize} texts of similar length (less
 *       padding);
 *   <li>writes each batch's vectors to the cache as soon as the model returns them, so a crash
 *       loses at most one batch of work.
 * </ol>
 *
 * <p>Vectors come back bit-identical to what the model returns: {@code new
 * CachedEmbedder(e).embed(x)} equals {@code e.embed(x)}, cold or warm.
 *
 * <p>Query vectors go to a separate, bounded in-memory cache unless {@link
 * Builder#persistQueries()} is set: queries are many, short-lived and cheap to keep in memory.
 *
 * <p><b>NOTE</b>: thread-safe when the model and the cache are (as the interfaces require). Two
 * threads that miss the same text at the same moment may both embed it; the second write replaces
 * the first with an identical vector. Closing a {@code CachedEmbedder} closes the query cache it
 * created, never the model or a cache it was given: their owner closes them.
 */
public final class CachedEmbedder implements Embedder {
  /** The default number of texts per model call and per cache write. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  /** The default bound of the in-memory query cache. */
  public static final int DEFAULT_QUERY_CACHE_ENTRIES = 10_000;

  private final Embedder model;
  private final EmbeddingCache cache;
  private final EmbeddingCache queryCache;
  private final boolean ownsQueryCache;
  private final String namespace;
  private final int batchSize;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder embedded = new LongAdder();
  private final LongAdder deduplicated = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder modelNanos = new LongAdder();
  private final LongAdder cacheNanos = new LongAdder();
  private volatile boolean closed;

  private CachedEmbedder(Builder b) {
    this.model = b.model;
    this.cache = b.cache;
    this.namespace = b.namespace;
    this.batchSize = b.batchSize;
    if (b.persistQueries) {
      this.queryCache = b.cache;
      this.ownsQueryCache = false;
    } else if (b.queryCache != null) {
      this.queryCache = b.queryCache;
      this.ownsQueryCache = false;
    } else {
      this.queryCache = InMemoryEmbeddingCache.withMaxEntries(DEFAULT_QUERY_CACHE_ENTRIES);
      this.ownsQueryCache = true;
    }
  }

  /**
   * Starts a cached embedder.
   *
   * @param model the embedder that computes missing vectors
   * @param cache where document vectors (and, with {@link Builder#persistQueries()}, query vectors)
   *     are kept
   * @return a builder
   */
  public static Builder builder(Embedder model, EmbeddingCache cache) {
    return new Builder(model, cache);
  }

  @Override
  public String modelName() {
    return model.modelName();
  }

  @Override
  public ModelFingerprint fingerprint() {
    return model.fingerprint();
  }

  @Override
  public int dimension() {
    return model.dimension();
  }

  /**
   * The namespace mixed into every key, empty when none was set.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  @Override
  public List<float[]> embed(List<String> texts, Role role) throws IOException {
    return lookupOrEmbed(texts, role).vectors();
  }

  /**
   * Does what {@link #embed(List, Role)} does and also tells what happened to these texts, for
   * callers that report progress or store the keys beside the vectors.
   *
   * @param texts the texts; the list and its elements must not be null
   * @param role whether the texts are documents or queries
   * @return the vectors, their keys and this call's counts
   * @throws IOException if the cache cannot be read or written, or the model cannot be loaded
   */
  public Outcome lookupOrEmbed(List<String> texts, Role role) throws IOException {
    ensureOpen();
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(role, "role");
    List<CacheKey> keys = CacheKey.deriveAll(model.fingerprint(), namespace, role, texts);
    int n = keys.size();

    // Positions → distinct keys: a text repeated in the call is looked up and embedded once.
    Map<CacheKey, Integer> distinctIndex = new HashMap<>(Math.max(16, n * 2));
    List<CacheKey> distinctKeys = new ArrayList<>(n);
    List<String> distinctTexts = new ArrayList<>(n);
    int[] slot = new int[n];
    for (int i = 0; i < n; i++) {
      Integer d = distinctIndex.putIfAbsent(keys.get(i), distinctKeys.size());
      if (d == null) {
        d = distinctKeys.size();
        distinctKeys.add(keys.get(i));
        distinctTexts.add(texts.get(i));
      }
      slot[i] = d;
    }

    EmbeddingCache target = role == Role.QUERY ? queryCache : cache;
    long t0 = System.nanoTime();
    float[][] vectors = target.getAll(distinctKeys);
    cacheNanos.add(System.nanoTime() - t0);

    List<Integer> missing = new ArrayList<>();
    for (int d = 0; d < vectors.length; d++) {
      if (vectors[d] == null) {
        missing.add(d);
      }
    }
    int missedPositions = 0;
    for (int i = 0; i < n; i++) {
      if (vectors[slot[i]] == null) {
        missedPositions++;
      }
    }
    int cut = embedMissing(distinctKeys, distinctTexts, missing, vectors, role, target);

    // Each position gets its own array, so a caller changing one cannot change another.
    boolean[] handedOut = new boolean[vectors.length];
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      int d = slot[i];
      out[i] = handedOut[d] ? vectors[d].clone() : vectors[d];
      handedOut[d] = true;
    }

    int hitPositions = n - missedPositions;
    hits.add(hitPositions);
    misses.add(missedPositions);
    embedded.add(missing.size());
    deduplicated.add(missedPositions - missing.size());
    truncated.add(cut);
    return new Outcome(
        Collections.unmodifiableList(Arrays.asList(out)),
        Collections.unmodifiableList(keys),
        hitPositions,
        missing.size(),
        missedPositions - missing.size(),
        cut);
  }

  /** Embeds the missing texts and puts their vectors; returns how many the model truncated. */
  private int embedMissing(
      List<CacheKey> keys,
      List<String> texts,
      List<Integer> missing,
      float[][] vectors,
      Role role,
      EmbeddingCache target)
      throws IOException {
    if (missing.isEmpty()) {
      return 0;
    }
    int cut = 0;
    // Texts of similar length in one batch need less padding; length in chars is a good proxy for
    // length in tokens, and the model sorts each batch by its exact token counts anyway.
    missing.sort((a, b) -> Integer.compare(texts.get(a).length(), texts.get(b).length()));
    ModelFingerprint fingerprint = model.fingerprint();
    int dimension = model.dimension();
    for (int from = 0; from < missing.size(); from += batchSize) {
      List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
      List<String> batchTexts = new ArrayList<>(batch.size());
      for (int d : batch) {
        batchTexts.add(texts.get(d));
      }
      long t0 = System.nanoTime();
      Embedder.Embeddings result = model.embedBatch(batchTexts, role);
      List<float[]> computed = result.vectors();
      cut += result.truncated();
      modelNanos.add(System.nanoTime() - t0);
      if (computed.size() != batchTexts.size()) {
        throw new EmbeddingException(
            "model "
                + model.modelName()
                + " returned "
                + computed.size()
                + " vectors for "
                + batchTexts.size()
                + " texts");
      }
      List<CacheEntry> entries = new ArrayList<>(batch.size());
      for (int j = 0; j < batch.size(); j++) {
        float[] v = computed.get(j);
        if (v == null || v.length != dimension) {
          throw new EmbeddingException(
              "model "
                  + model.modelName()
                  + " returned a vector of dimension "
                  + (v == null ? "null" : v.length)
                  + ", expected "
                  + dimension);
        }
        int d = batch.get(j);
        vectors[d] = v;
        entries.add(new CacheEntry(keys.get(d), fingerprint, role, v));
      }
      t0 = System.nanoTime();
      target.putAll(entries);
      cacheNanos.add(System.nanoTime() - t0);
    }
    return cut;
  }

  /**
   * What this embedder has done since it was built.
   *
   * @return a snapshot of the counters
   */
  public Stats stats() {
    return new Stats(
        hits.sum(),
        misses.sum(),
        embedded.sum(),
        deduplicated.sum(),
        truncated.sum(),
        modelNanos.sum(),
        cacheNanos.sum());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsQueryCache) {
      try {
        queryCache.close();
      } catch (IOException e) {
        // An in-memory cache does no IO; nothing can be lost here.
        throw new AssertionError("closing the in-memory query cache failed", e);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("CachedEmbedder is closed");
    }
  }

  @Override
  public String toString() {
    return "CachedEmbedder[model=" + model.modelName() + ", namespace=" + namespace + "]";
  }

  /**
   * The result of one {@link #lookupOrEmbed} call.
   *
   * @param vectors one vector per text, in order; the caller owns the arrays
   * @param keys one cache key per text, in order
   * @param hits texts served from the cache (each repeat counted)
   * @param embedded distinct texts the model computed
   * @param deduplicated repeats of missing texts that were not sent to the model again
   * @param truncated texts the model embedded that it cut to its token limit
   */
  public record Outcome(
      List<float[]> vectors,
      List<CacheKey> keys,
      int hits,
      int embedded,
      int deduplicated,
      int truncated) {}

  /**
   * Counters since the embedder was built. {@code hits + misses} is the number of texts asked for;
   * {@code embedded + deduplicated} equals {@code misses}.
   *
   * @param hits texts served from the cache (each repeat counted)
   * @param misses texts not found in the cache (each repeat counted)
   * @param embedded distinct texts the model computed
   * @param deduplicated repeats of missing texts that were not sent to the model again
   * @param truncated texts the model embedded that it cut to its token limit
   * @param modelNanos time spent in the model
   * @param cacheNanos time spent reading and writing the cache
   */
  public record Stats(
      long hits,
      long misses,
      long embedded,
      long deduplicated,
      long truncated,
      long modelNanos,
      long cacheNanos) {}

  /** Configures a {@link CachedEmbedder}. Not thread-safe. */
  public static final class Builder {
    private final Embedder model;
    private final EmbeddingCache cache;
    private String namespace = "";
    private int batchSize = DEFAULT_BATCH_SIZE;
    private EmbeddingCache queryCache;
    private boolean persistQueries;

    private Builder(Embedder model, EmbeddingCache cache) {
      this.model = Objects.requireNonNull(model, "model");
      this.cache = Objects.requireNonNull(cache, "cache");
    }

    /**
     * Mixes a namespace into every key, for example one per tenant, so that equal texts of two
     * tenants are cached separately. The model fingerprint is always mixed in as well. Default:
     * none.
     *
     * @param namespace the namespace; empty for none
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * How many missing texts go to the model per call, and so how many vectors are written to the
     * cache at a time: a crash loses at most one batch. Default {@value #DEFAULT_BATCH_SIZE}.
     *
     * @param batchSize at least 1
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batchSize must be > 0; batchSize=" + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Keeps query vectors in {@code queryCache}, which the caller owns and closes, instead of a
     * private in-memory cache of {@value #DEFAULT_QUERY_CACHE_ENTRIES} entries.
     *
     * @param queryCache the cache for query vectors
     * @return this builder
     */
    public Builder queryCache(EmbeddingCache queryCache) {
      this.queryCache = Objects.requireNonNull(queryCache, "queryCache");
      this.persistQueries = false;
      return this;
    }

    /**
     * Keeps query vectors in the main cache too, so they survive restarts.
     *
     * @return this builder
     */
    public Builder persistQueries() {
      this.persistQueries = true;
      this.queryCache = null;
      return this;
    }

    /**
     * Builds the embedder.
     *
     * @return a new cached embedder
     */
    public CachedEmbedder build() {
      return new CachedEmbedder(this);
    }
  }
}
