package dev.embedstore.springai;

import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.cache.InMemoryEmbeddingCache;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.LuceneEmbeddingCache;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A Spring AI {@link EmbeddingModel} that runs one of Embedstore's bundled ONNX models in-process,
 * behind a persistent cache: a text is embedded once, ever.
 *
 * <pre>{@code
 * try (EmbedstoreEmbeddingModel model =
 *     EmbedstoreEmbeddingModel.builder().model("all-minilm-l6-v2").cacheFolder(Path.of("vectors")).build()) {
 *   float[] v = model.embed("a passage");
 * }
 * }</pre>
 *
 * <p>Three ways to build one: a bundled model (or model folder) with its own cache folder; the same
 * with an in-memory cache (no folder); or {@link Builder#store(VectorStore) over a store},
 * embedding with the store's own model through the store's own cache, so that one folder holds
 * documents and vectors (what the auto-configuration does). Vectors are L2-normalised; {@link
 * #embed(String)} and {@link #call} embed documents, {@link #embedQuery} queries (with the model's
 * query prefix, for bge).
 *
 * <p><b>NOTE</b>: thread-safe; one instance serves all threads. {@link #close()} is idempotent and
 * releases the model and a cache folder it opened (never a store it was given); any other call
 * after it throws {@link IllegalStateException}.
 */
public final class EmbedstoreEmbeddingModel implements EmbeddingModel, AutoCloseable {
  /** How many document vectors the in-memory cache keeps when no folder is given. */
  public static final int IN_MEMORY_ENTRIES = 100_000;

  /** Embeds texts in a role; the store's embed, or a CachedEmbedder's. */
  private interface Texts {
    List<float[]> embed(List<String> texts, Role role) throws IOException;
  }

  /** Releases what the model opened. */
  private interface Resources {
    void close() throws IOException;
  }

  private final Texts texts;
  private final String modelName;
  private final int dimension;
  private final ModelFingerprint fingerprint;
  private final Resources resources;
  private final LuceneEmbeddingCache commitAfterWrites;
  private volatile boolean closed;

  private EmbedstoreEmbeddingModel(
      Texts texts, Embedder model, Resources resources, LuceneEmbeddingCache commitAfterWrites) {
    this.texts = texts;
    this.modelName = model.modelName();
    this.dimension = model.dimension();
    this.fingerprint = model.fingerprint();
    this.resources = resources;
    this.commitAfterWrites = commitAfterWrites;
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
  public EmbeddingResponse call(EmbeddingRequest request) {
    EmbeddingOptions options = request.getOptions();
    if (options != null
        && options.getDimensions() != null
        && options.getDimensions() != dimension) {
      throw new IllegalArgumentException(
          "model "
              + modelName
              + " makes vectors of "
              + dimension
              + " dimensions, not "
              + options.getDimensions());
    }
    List<float[]> vectors = embed(request.getInstructions(), Role.DOCUMENT);
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      out.add(new Embedding(vectors.get(i), i));
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    String text = getEmbeddingContent(document);
    if (text == null) {
      throw new IllegalArgumentException(
          "document " + document.getId() + " has no text; " + modelName + " embeds text only");
    }
    return embed(List.of(text), Role.DOCUMENT).get(0);
  }

  /**
   * Embeds a search query: the model's query prefix applies, and the vector is kept in memory only.
   *
   * @param query the query
   * @return its vector
   */
  public float[] embedQuery(String query) {
    return embed(List.of(Objects.requireNonNull(query, "query")), Role.QUERY).get(0);
  }

  private List<float[]> embed(List<String> in, Role role) {
    ensureOpen();
    try {
      List<float[]> out = texts.embed(in, role);
      if (commitAfterWrites != null && role == Role.DOCUMENT) {
        commitAfterWrites.commit();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("embedding with " + modelName + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int dimensions() {
    return dimension;
  }

  /**
   * The model's name, such as {@code all-minilm-l6-v2}.
   *
   * @return the name
   */
  public String modelName() {
    return modelName;
  }

  /**
   * What decides this model's vectors (the ONNX file, tokenizer, pooling, prefixes, pipeline
   * version): a store whose fingerprint is this one embeds texts itself.
   *
   * @return the fingerprint
   */
  public ModelFingerprint fingerprint() {
    return fingerprint;
  }

  /**
   * Releases the model and a cache folder this model opened. Idempotent.
   *
   * @throws IOException if a cache folder cannot be committed or closed
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    resources.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("EmbedstoreEmbeddingModel is closed");
    }
  }

  @Override
  public String toString() {
    return "EmbedstoreEmbeddingModel[" + modelName + "]";
  }

  /** Configures an {@link EmbedstoreEmbeddingModel}. Not thread-safe. */
  public static final class Builder {
    private String model = BundledModel.DEFAULT.modelName();
    private Path cacheFolder;
    private EmbeddingCache cache;
    private VectorStore store;
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
     * Embeds with a store's own model through the store's cache, instead of a model of its own:
     * {@link #model}, {@link #cacheFolder} and {@link #cache} do not apply. The store stays the
     * caller's.
     *
     * @param store a store opened with an Embedstore model (not an external one)
     * @return this builder
     */
    public Builder store(VectorStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Builds the model. The ONNX session itself is created on first use.
     *
     * @return the model; close it
     * @throws IOException if the model folder, the cache folder or the store cannot be read
     * @throws IllegalArgumentException if the model is neither bundled nor a folder
     */
    public EmbedstoreEmbeddingModel build() throws IOException {
      if (store != null) {
        var info = store.info();
        Embedder described = new StoreModel(info.modelName(), info.dimension(), info.fingerprint());
        VectorStore s = store;
        return new EmbedstoreEmbeddingModel(
            (in, role) -> s.embed(in, role).vectors(), described, () -> {}, null);
      }
      OnnxEmbedder onnx = OnnxEmbedder.open(model);
      try {
        LuceneEmbeddingCache owned =
            cacheFolder != null ? LuceneEmbeddingCache.open(cacheFolder) : null;
        EmbeddingCache c =
            owned != null
                ? owned
                : cache != null ? cache : InMemoryEmbeddingCache.withMaxEntries(IN_MEMORY_ENTRIES);
        CachedEmbedder cached = CachedEmbedder.builder(onnx, c).namespace(namespace).build();
        Resources release =
            () -> {
              try (onnx;
                  cached) {
                if (owned != null) {
                  owned.close();
                }
              }
            };
        return new EmbedstoreEmbeddingModel(cached::embed, onnx, release, owned);
      } catch (IOException | RuntimeException e) {
        onnx.close();
        throw e;
      }
    }
  }

  /** What a store says of its model: enough to name it and compare fingerprints. */
  private record StoreModel(String modelName, int dimension, String fingerprintHex)
      implements Embedder {
    @Override
    public ModelFingerprint fingerprint() {
      return ModelFingerprint.ofHex(fingerprintHex);
    }

    @Override
    public List<float[]> embed(List<String> texts, Role role) {
      throw new UnsupportedOperationException("describes a store's model; embed through the store");
    }

    @Override
    public void close() {}
  }
}
