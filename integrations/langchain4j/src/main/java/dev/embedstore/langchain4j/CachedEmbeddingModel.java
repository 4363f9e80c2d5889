package dev.embedstore.langchain4j;

import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.langchain4j.internal.DelegateEmbedder;
import dev.embedstore.langchain4j.internal.OwnedCache;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ContentType;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A langchain4j {@link EmbeddingModel} that keeps every vector another model computes in a
 * persistent cache, and asks that model only for texts it has never embedded.
 *
 * <pre>{@code
 * try (CachedEmbeddingModel model =
 *     CachedEmbeddingModel.builder().delegate(openAiModel).cacheFolder(Path.of("vectors")).build()) {
 *   Embedding e = model.embed("a passage").content(); // computed once, then read from the folder
 * }
 * }</pre>
 *
 * <p>The cache key of a vector covers what identifies the delegate: its class, its {@code
 * modelName()}, its dimension and every request parameter (model name, dimensions, input type), as
 * well as the namespace, the role and the text; so switching models, dimensions or input types
 * never serves a stale vector. Each call looks all its texts up in one batch, sends each missing
 * text to the delegate once however often it repeats, in batches of {@link Builder#batchSize(int)},
 * and stores the results before returning: with a cache folder they are committed (durable) when
 * the call returns. A text with input type {@link EmbeddingInputType#QUERY} is cached apart from
 * the same text as a document.
 *
 * <p>Vectors come back exactly as the delegate made them. {@link #stats()} counts hits, misses,
 * texts embedded and calls to the delegate. The delegate's listeners see only the calls that reach
 * it.
 *
 * <p><b>NOTE</b>: thread-safe when the delegate is. {@link #close()} is idempotent and releases a
 * cache folder this model opened (never the delegate, nor a cache given with {@link
 * Builder#cache}); any other call after it throws {@link IllegalStateException}.
 */
public final class CachedEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private final EmbeddingModel delegate;
  private final OwnedCache cache;
  private final String namespace;
  private final int batchSize;
  private final Integer givenDimension;
  private final LongAdder calls = new LongAdder();
  private final Map<ModelFingerprint, CachedEmbedder> embedders = new ConcurrentHashMap<>();
  private volatile Integer baseDimension;
  private volatile boolean closed;

  private CachedEmbeddingModel(Builder b, OwnedCache cache) {
    this.delegate = b.delegate;
    this.cache = cache;
    this.namespace = b.namespace;
    this.batchSize = b.batchSize;
    this.givenDimension = b.dimension;
  }

  /**
   * Starts a cached model.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    ensureOpen();
    List<String> texts = new ArrayList<>(request.inputs().size());
    for (EmbeddingInput input : request.inputs()) {
      texts.add(input.text());
    }
    EmbeddingRequestParameters parameters = request.parameters();
    Role role = parameters.inputType() == EmbeddingInputType.QUERY ? Role.QUERY : Role.DOCUMENT;
    try {
      CachedEmbedder embedder = embedderFor(parameters);
      CachedEmbedder.Outcome outcome = embedder.lookupOrEmbed(texts, role);
      if (outcome.embedded() > 0) {
        cache.commit();
      }
      List<Embedding> embeddings = new ArrayList<>(texts.size());
      for (float[] v : outcome.vectors()) {
        embeddings.add(Embedding.from(v));
      }
      return EmbeddingResponse.builder()
          .embeddings(embeddings)
          .modelName(embedder.modelName())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("embedding cache " + cache + ": " + e.getMessage(), e);
    }
  }

  private CachedEmbedder embedderFor(EmbeddingRequestParameters parameters) {
    DelegateEmbedder model = new DelegateEmbedder(delegate, parameters, baseDimension(), calls);
    return embedders.computeIfAbsent(
        model.fingerprint(),
        fp ->
            CachedEmbedder.builder(model, cache.cache())
                .namespace(namespace)
                .batchSize(batchSize)
                .persistQueries()
                .build());
  }

  /** The delegate's dimension: given to the builder, or asked of the delegate once. */
  private int baseDimension() {
    Integer d = baseDimension;
    if (d == null) {
      synchronized (this) {
        d = baseDimension;
        if (d == null) {
          d = givenDimension != null ? givenDimension : delegate.dimension();
          baseDimension = d;
        }
      }
    }
    return d;
  }

  /** The delegate's parameters: a request may use exactly those. */
  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return delegate.supportedParameters();
  }

  /** Texts only: the cache keys vectors by text. */
  @Override
  public Set<ContentType> supportedContentTypes() {
    return Set.of(ContentType.TEXT);
  }

  @Override
  public EmbeddingRequestParameters defaultRequestParameters() {
    return delegate.defaultRequestParameters();
  }

  @Override
  public int dimension() {
    ensureOpen();
    return baseDimension();
  }

  @Override
  public String modelName() {
    return delegate.modelName();
  }

  @Override
  public ModelProvider provider() {
    return delegate.provider();
  }

  /**
   * The model whose vectors this one caches.
   *
   * @return the delegate
   */
  public EmbeddingModel delegate() {
    return delegate;
  }

  /**
   * What this model has done since it was built.
   *
   * @return a snapshot of the counters
   */
  public Stats stats() {
    long hits = 0;
    long misses = 0;
    long embedded = 0;
    for (CachedEmbedder e : embedders.values()) {
      CachedEmbedder.Stats s = e.stats();
      hits += s.hits();
      misses += s.misses();
      embedded += s.embedded();
    }
    return new Stats(hits, misses, embedded, calls.sum());
  }

  /**
   * Counters since the model was built. {@code hits + misses} is the number of texts asked for;
   * {@code embedded <= misses}, as a text repeated within a call is embedded once.
   *
   * @param hits texts served from the cache
   * @param misses texts not found in the cache
   * @param embedded distinct texts sent to the delegate
   * @param calls calls made to the delegate
   */
  public record Stats(long hits, long misses, long embedded, long calls) {}

  /**
   * Commits and releases a cache folder this model opened. Idempotent.
   *
   * @throws IOException if the cache cannot be committed or closed
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    for (CachedEmbedder e : embedders.values()) {
      e.close();
    }
    cache.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("CachedEmbeddingModel is closed");
    }
  }

  @Override
  public String toString() {
    return "CachedEmbeddingModel[delegate="
        + delegate.getClass().getName()
        + ", model="
        + delegate.modelName()
        + ", cache="
        + cache
        + "]";
  }

  /** Configures a {@link CachedEmbeddingModel}. Not thread-safe. */
  public static final class Builder {
    private EmbeddingModel delegate;
    private Path cacheFolder;
    private EmbeddingCache cache;
    private String namespace = "";
    private int batchSize = CachedEmbedder.DEFAULT_BATCH_SIZE;
    private Integer dimension;

    private Builder() {}

    /**
     * The model that computes the vectors the cache lacks. Required.
     *
     * @param delegate a langchain4j embedding model, typically a remote API's
     * @return this builder
     */
    public Builder delegate(EmbeddingModel delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      return this;
    }

    /**
     * Keeps the vectors in a Lucene embedding cache in this folder, created when absent; the model
     * holds the folder's write lock until closed. One of this or {@link #cache} is required.
     *
     * @param folder the folder
     * @return this builder
     */
    public Builder cacheFolder(Path folder) {
      this.cacheFolder = Objects.requireNonNull(folder, "folder");
      this.cache = null;
      return this;
    }

    /**
     * Keeps the vectors in a cache the application owns (and commits and closes), such as an {@code
     * InMemoryEmbeddingCache} or a {@code SolrEmbeddingCache}.
     *
     * @param cache the cache
     * @return this builder
     */
    public Builder cache(EmbeddingCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      this.cacheFolder = null;
      return this;
    }

    /**
     * Mixes a namespace (a tenant, say) into every cache key. Default: none.
     *
     * @param namespace the namespace; empty for none
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * The most texts sent to the delegate in one call. Default {@value
     * CachedEmbedder#DEFAULT_BATCH_SIZE}.
     *
     * @param batchSize at least 1
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1; batchSize=" + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * The delegate's dimension, when known: without it the delegate's {@code dimension()} is asked
     * on first use, which for some models embeds a probe text (one call to the delegate).
     *
     * @param dimension at least 1
     * @return this builder
     */
    public Builder dimension(int dimension) {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be >= 1; dimension=" + dimension);
      }
      this.dimension = dimension;
      return this;
    }

    /**
     * Builds the model, opening the cache folder if one was given.
     *
     * @return the model; close it to release the folder
     * @throws IOException if the cache folder cannot be opened
     * @throws IllegalStateException if the delegate or the cache is missing
     */
    public CachedEmbeddingModel build() throws IOException {
      if (delegate == null) {
        throw new IllegalStateException(
            "CachedEmbeddingModel needs a delegate: call delegate(model)");
      }
      if (cacheFolder == null && cache == null) {
        throw new IllegalStateException(
            "CachedEmbeddingModel needs a cache: call cacheFolder(path) or cache(embeddingCache)");
      }
      OwnedCache c =
          cacheFolder != null ? OwnedCache.open(cacheFolder) : OwnedCache.borrowed(cache);
      return new CachedEmbeddingModel(this, c);
    }
  }
}
