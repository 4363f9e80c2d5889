package dev.embedstore.langchain4j;

import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.cache.InMemoryEmbeddingCache;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.langchain4j.internal.OwnedCache;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ContentType;
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
import java.util.Objects;
import java.util.Set;

/**
 * A langchain4j {@link EmbeddingModel} that runs one of Embedstore's bundled ONNX models
 * in-process, behind a persistent cache: a text is embedded once, ever.
 *
 * <pre>{@code
 * try (EmbedstoreEmbeddingModel model =
 *     EmbedstoreEmbeddingModel.builder()
 *         .model("all-minilm-l6-v2")
 *         .cacheFolder(Path.of("vectors"))
 *         .build()) {
 *   Embedding e = model.embed("a passage").content();
 * }
 * }</pre>
 *
 * <p>Models: {@code all-minilm-l6-v2-q} (the default: int8, 384 dimensions), {@code
 * all-minilm-l6-v2} (fp32), {@code bge-small-en-v1.5}, or a folder with {@code model.onnx} and
 * {@code tokenizer.json}. Vectors are L2-normalised. A request with input type {@link
 * EmbeddingInputType#QUERY} embeds its texts as queries (with the model's query prefix, for bge);
 * query vectors are kept in memory only. Without a cache folder, document vectors are kept in
 * memory too (up to {@value #IN_MEMORY_ENTRIES} of them). The ONNX model is loaded on the first
 * text the cache lacks: a run served from the cache never loads it.
 *
 * <p><b>NOTE</b>: thread-safe; one instance serves all threads. {@link #close()} is idempotent and
 * releases the model and a cache folder it opened; any other call after it throws {@link
 * IllegalStateException}.
 */
public final class EmbedstoreEmbeddingModel implements EmbeddingModel, AutoCloseable {
  /** How many document vectors the in-memory cache keeps when no folder is given. */
  public static final int IN_MEMORY_ENTRIES = 100_000;

  private final OnnxEmbedder onnx;
  private final OwnedCache cache;
  private final CachedEmbedder embedder;
  private volatile boolean closed;

  private EmbedstoreEmbeddingModel(OnnxEmbedder onnx, OwnedCache cache, String namespace) {
    this.onnx = onnx;
    this.cache = cache;
    this.embedder = CachedEmbedder.builder(onnx, cache.cache()).namespace(namespace).build();
  }

  /**
   * Starts a model.
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
    Role role =
        request.parameters().inputType() == EmbeddingInputType.QUERY ? Role.QUERY : Role.DOCUMENT;
    try {
      CachedEmbedder.Outcome outcome = embedder.lookupOrEmbed(texts, role);
      if (outcome.embedded() > 0 && role == Role.DOCUMENT) {
        cache.commit();
      }
      List<Embedding> embeddings = new ArrayList<>(texts.size());
      for (float[] v : outcome.vectors()) {
        embeddings.add(Embedding.from(v));
      }
      return EmbeddingResponse.builder().embeddings(embeddings).modelName(modelName()).build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "embedding with " + onnx.modelName() + " through " + cache + ": " + e.getMessage(), e);
    }
  }

  /** The input type: queries and documents are embedded (and cached) apart. */
  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return Set.of(EmbeddingRequestParameters.INPUT_TYPE);
  }

  @Override
  public Set<ContentType> supportedContentTypes() {
    return Set.of(ContentType.TEXT);
  }

  @Override
  public int dimension() {
    return onnx.dimension();
  }

  @Override
  public String modelName() {
    return onnx.modelName();
  }

  /**
   * What decides this model's vectors: the ONNX file, the tokenizer, pooling, truncation, prefixes
   * and the pipeline version.
   *
   * @return the fingerprint
   */
  public ModelFingerprint fingerprint() {
    return onnx.fingerprint();
  }

  /**
   * What the cache and the model have done since this model was built: hits, texts embedded, time.
   *
   * @return a snapshot
   */
  public CachedEmbedder.Stats stats() {
    return embedder.stats();
  }

  /**
   * Releases the ONNX model and commits and closes a cache folder this model opened. Idempotent.
   *
   * @throws IOException if the cache cannot be committed or closed
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      embedder.close();
      cache.close();
    } finally {
      onnx.close();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("EmbedstoreEmbeddingModel is closed");
    }
  }

  @Override
  public String toString() {
    return "EmbedstoreEmbeddingModel[" + onnx.modelName() + ", cache=" + cache + "]";
  }

  /** Configures an {@link EmbedstoreEmbeddingModel}. Not thread-safe. */
  public static final class Builder {
    private String model = BundledModel.DEFAULT.modelName();
    private Path cacheFolder;
    private EmbeddingCache cache;
    private String namespace = "";

    private Builder() {}

    /**
     * The model: a bundled model's name or a model folder. Default {@code all-minilm-l6-v2}.
     *
     * @param nameOrFolder the name or folder
     * @return this builder
     */
    public Builder model(String nameOrFolder) {
      this.model = Objects.requireNonNull(nameOrFolder, "model");
      return this;
    }

    /**
     * Keeps document vectors in a Lucene embedding cache in this folder, created when absent.
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
     * Keeps document vectors in a cache the application owns.
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
     * Mixes a namespace into every cache key. Default: none.
     *
     * @param namespace the namespace; empty for none
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * Builds the model. The ONNX session itself is created on first use.
     *
     * @return the model; close it
     * @throws IOException if the model folder or the cache folder cannot be opened
     * @throws IllegalArgumentException if the model is neither bundled nor a folder, naming the
     *     bundled ones
     */
    public EmbedstoreEmbeddingModel build() throws IOException {
      OnnxEmbedder onnx = OnnxEmbedder.open(model);
      try {
        OwnedCache c =
            cacheFolder != null
                ? OwnedCache.open(cacheFolder)
                : OwnedCache.borrowed(
                    cache != null
                        ? cache
                        : InMemoryEmbeddingCache.withMaxEntries(IN_MEMORY_ENTRIES));
        return new EmbedstoreEmbeddingModel(onnx, c, namespace);
      } catch (IOException | RuntimeException e) {
        onnx.close();
        throw e;
      }
    }
  }
}
