package dev.embedstore.springai;

import dev.embedstore.springai.internal.SpringAiFilters;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.observation.conventions.VectorStoreSimilarityMetric;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/**
 * A Spring AI {@link org.springframework.ai.vectorstore.VectorStore} on an Embedstore {@link
 * VectorStore}: a Lucene store in a folder, or any backend.
 *
 * <pre>{@code
 * try (LuceneVectorStore store = LuceneVectorStore.open(Path.of("docs"), OnnxEmbedder.open("all-minilm-l6-v2"));
 *     EmbedstoreEmbeddingModel model = EmbedstoreEmbeddingModel.builder().store(store).build()) {
 *   EmbedstoreVectorStore vectorStore = EmbedstoreVectorStore.builder(store, model).build();
 *   vectorStore.add(List.of(new Document("Lucene is a search library.", Map.of("year", 2024))));
 *   List<Document> hits = vectorStore.similaritySearch(
 *       SearchRequest.builder().query("what is lucene").topK(5).filterExpression("year >= 2020").build());
 * }
 * }</pre>
 *
 * <p>Two ways to embed, chosen by the model given:
 *
 * <ul>
 *   <li>An {@link EmbedstoreEmbeddingModel} of the store's own model (equal fingerprints): the
 *       store embeds texts itself, through its cache, and searches by query text. One folder holds
 *       the documents and every vector; re-adding a document embeds nothing.
 *   <li>Any other model (a remote API's): its vectors go into the store, which must have been
 *       opened with an {@link dev.embedstore.embed.ExternalModel} of the model's dimension.
 * </ul>
 *
 * <p>A Spring AI document is one store document: same id, text and metadata (strings, numbers,
 * booleans, lists of strings; dates as ISO-8601 UTC strings; integers come back as Long, other
 * numbers as Double). Filters, as expressions or in their text form, are translated to store
 * filters applied before the search ({@link SpringAiFilters}: EQ, NE, GT, GTE, LT, LTE, IN, NIN,
 * AND, OR, NOT, ISNULL, ISNOTNULL, with the meaning of Spring AI's {@code SimpleVectorStore}). A
 * hit's score is its cosine similarity, as in {@code SimpleVectorStore}; the similarity threshold
 * keeps hits whose score is at least the threshold; each hit's metadata gains {@code distance} = 1
 * - score. Every add and delete is committed before it returns.
 *
 * <p><b>NOTE</b>: thread-safe. The store and the model stay the caller's to close.
 */
public final class EmbedstoreVectorStore extends AbstractObservationVectorStore {
  private final VectorStore store;
  private final boolean storeEmbeds;
  private final String location;
  private final int dimension;

  private EmbedstoreVectorStore(Builder b, StoreInfo info) {
    super(b);
    this.store = b.store;
    this.location = info.location();
    this.dimension = info.dimension();
    this.storeEmbeds =
        b.getEmbeddingModel() instanceof EmbedstoreEmbeddingModel m
            && m.fingerprint().hex().equals(info.fingerprint());
  }

  /**
   * Starts a vector store.
   *
   * @param store the Embedstore store, which the caller keeps and closes
   * @param embeddingModel the model of the store's vectors: an {@link EmbedstoreEmbeddingModel} of
   *     the store's model lets the store embed texts itself
   * @return a builder
   */
  public static Builder builder(VectorStore store, EmbeddingModel embeddingModel) {
    return new Builder(store, embeddingModel);
  }

  /**
   * Whether the store embeds texts itself (through its cache), rather than taking the model's
   * vectors.
   *
   * @return whether the store embeds
   */
  public boolean storeEmbeds() {
    return storeEmbeds;
  }

  @Override
  public void doAdd(List<Document> documents) {
    Objects.requireNonNull(documents, "documents");
    if (documents.isEmpty()) {
      return;
    }
    List<dev.embedstore.store.Document> docs = new ArrayList<>(documents.size());
    List<float[]> vectors =
        storeEmbeds
            ? null
            : embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      dev.embedstore.store.Document doc =
          new dev.embedstore.store.Document(
              d.getId(),
              Objects.requireNonNullElse(d.getText(), ""),
              null,
              metadata(d.getId(), d.getMetadata()));
      docs.add(vectors == null ? doc : doc.withVector(vectors.get(i)));
    }
    try {
      store.upsert(docs);
    } catch (IOException e) {
      throw failed("add", e);
    }
  }

  @Override
  public void doDelete(List<String> idList) {
    try {
      store.delete(Objects.requireNonNull(idList, "idList"));
    } catch (IOException e) {
      throw failed("delete", e);
    }
  }

  @Override
  protected void doDelete(Filter.Expression filterExpression) {
    dev.embedstore.store.Filter f =
        SpringAiFilters.translate(Objects.requireNonNull(filterExpression, "filterExpression"));
    try {
      store.delete(f);
    } catch (IOException e) {
      throw failed("delete", e);
    }
  }

  @Override
  public List<Document> doSimilaritySearch(
      org.springframework.ai.vectorstore.SearchRequest request) {
    dev.embedstore.store.Filter filter = SpringAiFilters.translate(request.getFilterExpression());
    SearchRequest r;
    if (storeEmbeds) {
      r = SearchRequest.of(request.getQuery(), request.getTopK());
    } else {
      float[] q =
          embeddingModel instanceof EmbedstoreEmbeddingModel m
              ? m.embedQuery(request.getQuery())
              : embeddingModel.embed(request.getQuery());
      r = SearchRequest.ofVector(q, request.getTopK());
    }
    List<SearchHit> hits;
    try {
      hits = store.search(r.withFilter(filter));
    } catch (IOException e) {
      throw failed("search", e);
    }
    List<Document> out = new ArrayList<>(hits.size());
    for (SearchHit hit : hits) {
      double score = hit.score();
      if (score < request.getSimilarityThreshold()) {
        continue;
      }
      Map<String, Object> metadata = new LinkedHashMap<>(hit.metadata());
      metadata.put(DocumentMetadata.DISTANCE.value(), 1.0 - score);
      out.add(
          Document.builder().id(hit.id()).text(hit.text()).metadata(metadata).score(score).build());
    }
    return out;
  }

  @Override
  public VectorStoreObservationContext.Builder createObservationContextBuilder(
      String operationName) {
    return VectorStoreObservationContext.builder("embedstore", operationName)
        .collectionName(location)
        .dimensions(dimension)
        .similarityMetric(VectorStoreSimilarityMetric.COSINE.value());
  }

  /** The Embedstore store underneath. */
  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) store);
  }

  /** Spring AI metadata in the types a store holds. */
  private static Map<String, Object> metadata(String id, Map<String, Object> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : in.entrySet()) {
      Object v = e.getValue();
      Object stored =
          switch (v) {
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger bi -> {
              if (bi.bitLength() > 63) {
                throw new IllegalArgumentException(
                    "document "
                        + id
                        + ": metadata field "
                        + e.getKey()
                        + " does not fit a long: "
                        + bi);
              }
              yield bi.longValue();
            }
            case BigDecimal bd -> bd.doubleValue();
            case Date d -> SpringAiFilters.formatDate(d);
            default -> v;
          };
      out.put(e.getKey(), stored);
    }
    return out;
  }

  private UncheckedIOException failed(String operation, IOException e) {
    return new UncheckedIOException(
        "vector store " + location + ": " + operation + " failed: " + e, e);
  }

  @Override
  public String toString() {
    return "EmbedstoreVectorStore[" + location + (storeEmbeds ? ", store embeds" : "") + "]";
  }

  /** Configures an {@link EmbedstoreVectorStore}. Not thread-safe. */
  public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
    private final VectorStore store;

    private Builder(VectorStore store, EmbeddingModel embeddingModel) {
      super(embeddingModel);
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Builds the vector store.
     *
     * @return the vector store
     * @throws UncheckedIOException if the store cannot describe itself
     * @throws IllegalArgumentException if the model's dimension is not the store's
     */
    @Override
    public EmbedstoreVectorStore build() {
      StoreInfo info;
      try {
        info = store.info();
      } catch (IOException e) {
        throw new UncheckedIOException("store " + store + ": " + e.getMessage(), e);
      }
      if (!(embeddingModel instanceof EmbedstoreEmbeddingModel)
          && embeddingModel.dimensions() != info.dimension()) {
        throw new IllegalArgumentException(
            "the embedding model makes vectors of "
                + embeddingModel.dimensions()
                + " dimensions; store "
                + info.location()
                + " holds "
                + info.dimension());
      }
      return new EmbedstoreVectorStore(this, info);
    }
  }
}
