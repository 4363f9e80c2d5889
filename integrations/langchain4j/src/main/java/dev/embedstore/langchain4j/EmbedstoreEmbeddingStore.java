package dev.embedstore.langchain4j;

import dev.embedstore.embed.ExternalModel;
import dev.embedstore.langchain4j.internal.FilterTranslator;
import dev.embedstore.langchain4j.internal.MetadataCodec;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.VectorStore;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A langchain4j {@link EmbeddingStore} on an Embedstore {@link VectorStore}: a Lucene store in a
 * folder, or any backend (the Solr one included).
 *
 * <pre>{@code
 * try (EmbedstoreEmbeddingStore store =
 *     EmbedstoreEmbeddingStore.builder().folder(Path.of("segments")).build()) {
 *   String id = store.add(model.embed(segment).content(), segment);
 *   List<EmbeddingMatch<TextSegment>> matches =
 *       store.search(EmbeddingSearchRequest.builder().queryEmbedding(q).maxResults(5).build()).matches();
 * }
 * }</pre>
 *
 * <p>The store holds the application's vectors: each embedding is one store document whose id is
 * the embedding id (a random UUID unless given), whose text is the segment's text and whose
 * metadata is the segment's, each value with its exact Java type ({@link MetadataCodec} gives the
 * field of each key and type). The vectors come back bit-exact. A folder store is opened with an
 * {@link ExternalModel} named by {@link Builder#modelName} (default {@value #DEFAULT_MODEL_NAME})
 * and of the first embedding's dimension, both recorded: reopening it with another name or
 * dimension is refused, naming both.
 *
 * <p>Searches are vector searches (HNSW) with the filter translated to a store filter, applied
 * before the search ({@link FilterTranslator}: every langchain4j comparison, {@code isIn}, {@code
 * isNotIn}, {@code containsString}, {@code and}, {@code or} and {@code not}); scores are
 * langchain4j relevance scores, {@code (cosine + 1) / 2}, and {@code minScore} is applied to the
 * hits the store returns. Every add and remove is committed (durable) before it returns.
 *
 * <p><b>NOTE</b>: thread-safe. {@link #close()} is idempotent and closes a folder store (never one
 * given with {@link Builder#store}); any other call after it throws {@link IllegalStateException}.
 */
public final class EmbedstoreEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {
  /** The model name a folder store records when the builder names none. */
  public static final String DEFAULT_MODEL_NAME = "langchain4j";

  private final Path folder;
  private final String modelName;
  private final boolean ownsStore;
  private final Object openLock = new Object();
  private volatile VectorStore store;
  private volatile boolean closed;

  private EmbedstoreEmbeddingStore(Path folder, String modelName, VectorStore store, boolean owns) {
    this.folder = folder;
    this.modelName = modelName;
    this.store = store;
    this.ownsStore = owns;
  }

  /**
   * Starts a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String add(Embedding embedding) {
    String id = generateIds(1).get(0);
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(checkId(id)), List.of(checkEmbedding(embedding)), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment textSegment) {
    String id = generateIds(1).get(0);
    addAll(List.of(id), List.of(checkEmbedding(embedding)), nullableList(textSegment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(Objects.requireNonNull(embeddings, "embeddings").size());
    addAll(ids, embeddings, null);
    return ids;
  }

  /**
   * Adds (or replaces, by id) embeddings with their segments.
   *
   * @param ids the ids, one per embedding
   * @param embeddings the embeddings, all of the store's dimension
   * @param embedded the segments, one per embedding; null (or a null element) for none
   * @throws IllegalArgumentException if the lists differ in size, an id is blank, or an embedding
   *     does not fit the store
   * @throws UncheckedIOException if the store fails
   */
  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded) {
    ensureOpen();
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size() || (embedded != null && embedded.size() != ids.size())) {
      throw new IllegalArgumentException(
          "ids, embeddings and segments must be as many; ids="
              + ids.size()
              + ", embeddings="
              + embeddings.size()
              + (embedded == null ? "" : ", segments=" + embedded.size()));
    }
    if (ids.isEmpty()) {
      return;
    }
    List<Document> docs = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      float[] vector = checkEmbedding(embeddings.get(i)).vector();
      TextSegment segment = embedded == null ? null : embedded.get(i);
      Document d =
          segment == null
              ? new Document(checkId(ids.get(i)), "", null, Map.of(MetadataCodec.NO_SEGMENT, true))
              : new Document(
                  checkId(ids.get(i)),
                  segment.text(),
                  null,
                  MetadataCodec.encode(segment.metadata()));
      docs.add(d.withVector(vector));
    }
    try {
      storeFor(docs.get(0).vector().length).upsert(docs);
    } catch (IOException e) {
      throw failed("add", e);
    }
  }

  @Override
  public void removeAll(Collection<String> ids) {
    ensureOpen();
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids cannot be null or empty");
    }
    VectorStore s = store;
    if (s != null) {
      try {
        s.delete(ids);
      } catch (IOException e) {
        throw failed("remove", e);
      }
    }
  }

  @Override
  public void removeAll(Filter filter) {
    ensureOpen();
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    dev.embedstore.store.Filter f = FilterTranslator.translate(filter);
    VectorStore s = store;
    if (s != null) {
      try {
        s.delete(f);
      } catch (IOException e) {
        throw failed("remove", e);
      }
    }
  }

  @Override
  public void removeAll() {
    ensureOpen();
    VectorStore s = store;
    if (s != null) {
      try {
        s.deleteAll();
      } catch (IOException e) {
        throw failed("remove", e);
      }
    }
  }

  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    ensureOpen();
    Objects.requireNonNull(request, "request");
    dev.embedstore.store.Filter filter = FilterTranslator.translate(request.filter());
    VectorStore s = store;
    if (s == null) {
      return new EmbeddingSearchResult<>(List.of());
    }
    SearchRequest r =
        SearchRequest.ofVector(request.queryEmbedding().vector(), request.maxResults())
            .withFilter(filter)
            .withVectors(true);
    List<SearchHit> hits;
    try {
      hits = s.search(r);
    } catch (IOException e) {
      throw failed("search", e);
    }
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(hits.size());
    for (SearchHit hit : hits) {
      double score = RelevanceScore.fromCosineSimilarity(hit.score());
      if (score < request.minScore()) {
        continue;
      }
      TextSegment segment =
          Boolean.TRUE.equals(hit.metadata().get(MetadataCodec.NO_SEGMENT))
              ? null
              : TextSegment.from(hit.text(), MetadataCodec.decode(hit.metadata()));
      matches.add(new EmbeddingMatch<>(score, hit.id(), Embedding.from(hit.vector()), segment));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /**
   * The Embedstore store underneath, or null for a folder store that no embedding has created yet.
   *
   * @return the store
   */
  public VectorStore vectorStore() {
    return store;
  }

  /**
   * Closes a folder store. Idempotent.
   *
   * @throws IOException if the final commit fails
   */
  @Override
  public void close() throws IOException {
    synchronized (openLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (ownsStore && store != null) {
        store.close();
      }
    }
  }

  /** The store; a new folder store is created with the first embedding's dimension. */
  private VectorStore storeFor(int dimension) throws IOException {
    VectorStore s = store;
    if (s != null) {
      return s;
    }
    synchronized (openLock) {
      ensureOpen();
      if (store == null) {
        store = LuceneVectorStore.open(folder, ExternalModel.of(modelName, dimension));
      }
      return store;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("EmbedstoreEmbeddingStore is closed");
    }
  }

  private UncheckedIOException failed(String operation, IOException e) {
    return new UncheckedIOException(
        "embedding store " + (folder != null ? folder : store) + ": " + operation + " failed: " + e,
        e);
  }

  private static String checkId(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id cannot be null or blank");
    }
    return id;
  }

  private static Embedding checkEmbedding(Embedding e) {
    if (e == null) {
      throw new IllegalArgumentException("embedding cannot be null");
    }
    return e;
  }

  private static List<TextSegment> nullableList(TextSegment segment) {
    List<TextSegment> l = new ArrayList<>(1);
    l.add(segment);
    return l;
  }

  @Override
  public String toString() {
    return "EmbedstoreEmbeddingStore[" + (folder != null ? folder : store) + "]";
  }

  /** Configures an {@link EmbedstoreEmbeddingStore}. Not thread-safe. */
  public static final class Builder {
    private Path folder;
    private VectorStore store;
    private String modelName;
    private Integer dimension;

    private Builder() {}

    /**
     * Keeps the embeddings in a Lucene store in this folder, created when absent (with the first
     * embedding, or at once when {@link #dimension} is given).
     *
     * @param folder the folder
     * @return this builder
     */
    public Builder folder(Path folder) {
      this.folder = Objects.requireNonNull(folder, "folder");
      this.store = null;
      return this;
    }

    /**
     * Keeps the embeddings in a store the application opened (and closes): it must have been opened
     * with an {@link ExternalModel} of the embeddings' dimension.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(VectorStore store) {
      this.store = Objects.requireNonNull(store, "store");
      this.folder = null;
      return this;
    }

    /**
     * Names the model whose embeddings a folder store holds, such as {@code
     * "openai/text-embedding-3-small"}: recorded when the store is created and checked when it is
     * reopened. Default: the name an existing store recorded, else {@value #DEFAULT_MODEL_NAME}.
     *
     * @param name the model's name
     * @return this builder
     */
    public Builder modelName(String name) {
      this.modelName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The embeddings' dimension, to create a new folder store at once rather than with the first
     * embedding.
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
     * Builds the store. A folder that holds a store is opened now, with the model it recorded.
     *
     * @return the store; close it
     * @throws IOException if the folder cannot be opened
     * @throws dev.embedstore.store.StoreMismatchException if the folder's store belongs to another
     *     model or dimension
     * @throws IllegalStateException if neither a folder nor a store was given
     */
    public EmbedstoreEmbeddingStore build() throws IOException {
      if (store != null) {
        return new EmbedstoreEmbeddingStore(null, null, store, false);
      }
      if (folder == null) {
        throw new IllegalStateException(
            "EmbedstoreEmbeddingStore needs a folder(path) or a store(vectorStore)");
      }
      String name = modelName;
      Integer dim = dimension;
      if (holdsStore(folder)) {
        StoreInfo info = LuceneVectorStore.readInfo(folder);
        name = name != null ? name : info.modelName();
        dim = dim != null ? dim : info.dimension();
      }
      name = name != null ? name : DEFAULT_MODEL_NAME;
      VectorStore opened =
          dim == null ? null : LuceneVectorStore.open(folder, ExternalModel.of(name, dim));
      return new EmbedstoreEmbeddingStore(folder, name, opened, true);
    }

    private static boolean holdsStore(Path folder) throws IOException {
      if (!Files.isDirectory(folder)) {
        return false;
      }
      try (var files = Files.list(folder)) {
        return files.anyMatch(p -> p.getFileName().toString().startsWith("segments_"));
      }
    }
  }
}
