package dev.embedstore.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * What to search for: a query text, a query vector, or both.
 *
 * <p>A query text is embedded by the store's model (as a {@link dev.embedstore.embed.Role#QUERY
 * query}); a query vector is used as it is, and must come from the model the store's vectors came
 * from (a store of an {@link dev.embedstore.embed.ExternalModel} can only be searched by vector in
 * the vector modes). {@link SearchMode#KEYWORD} needs a text; {@link SearchMode#HYBRID} needs a
 * text, and uses the vector for its vector half when one is given.
 *
 * <p>The record keeps the array it is given: do not change it afterwards.
 *
 * @param query the query text, or null when searching by vector only
 * @param vector the query vector, or null to embed the text
 * @param k how many documents to return
 * @param mode how to search
 * @param filter a metadata pre-filter, or null
 * @param oversample how many candidates the graph search keeps per wanted hit ({@code k' = k *
 *     oversample}); more is slower and finds the true neighbours more often
 * @param includeVectors whether each hit carries its chunk's stored vector ({@link
 *     SearchHit#vector()})
 */
public record SearchRequest(
    String query,
    float[] vector,
    int k,
    SearchMode mode,
    Filter filter,
    int oversample,
    boolean includeVectors) {
  /**
   * The default oversampling factor: k' = 80 for k = 10. Measured on SciFact (5,183 documents,
   * docs/benchmarks.md), a store in one or two segments keeps recall@10 against exact search at
   * about 0.99 (float32 and int8) with it, where k' = 40 gives 0.98 or a little less; a store of
   * many small segments searches each graph with k' and gets higher recall at any factor.
   */
  public static final int DEFAULT_OVERSAMPLE = 8;

  /** Checks the arguments. */
  public SearchRequest {
    Objects.requireNonNull(mode, "mode");
    if (query == null && vector == null) {
      throw new NullPointerException("a search needs a query text or a query vector");
    }
    if (query == null && (mode == SearchMode.KEYWORD || mode == SearchMode.HYBRID)) {
      throw new IllegalArgumentException(
          mode.name().toLowerCase(java.util.Locale.ROOT)
              + " search needs a query text; this request has only a vector");
    }
    if (vector != null) {
      if (vector.length == 0) {
        throw new IllegalArgumentException("the query vector is empty");
      }
      for (int i = 0; i < vector.length; i++) {
        if (!Float.isFinite(vector[i])) {
          throw new IllegalArgumentException(
              "the query vector has a non-finite component at " + i + ": " + vector[i]);
        }
      }
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; k=" + k);
    }
    if (oversample < 1) {
      throw new IllegalArgumentException("oversample must be >= 1; oversample=" + oversample);
    }
  }

  /**
   * A search by text, without vectors in the hits.
   *
   * @param query the query text
   * @param k how many hits
   * @param mode how to search
   * @param filter a pre-filter, or null
   * @param oversample candidates per wanted hit
   */
  public SearchRequest(String query, int k, SearchMode mode, Filter filter, int oversample) {
    this(Objects.requireNonNull(query, "query"), null, k, mode, filter, oversample, false);
  }

  /**
   * A vector search for the k nearest documents to a text.
   *
   * @param query the query
   * @param k how many hits
   * @return the request
   */
  public static SearchRequest of(String query, int k) {
    return new SearchRequest(query, k, SearchMode.VECTOR, null, DEFAULT_OVERSAMPLE);
  }

  /**
   * A vector search for the k nearest documents to a vector.
   *
   * @param vector the query vector; not copied
   * @param k how many hits
   * @return the request
   */
  public static SearchRequest ofVector(float[] vector, int k) {
    return new SearchRequest(
        null,
        Objects.requireNonNull(vector, "vector"),
        k,
        SearchMode.VECTOR,
        null,
        DEFAULT_OVERSAMPLE,
        false);
  }

  /**
   * This request with another mode.
   *
   * @param newMode the mode
   * @return a new request
   */
  public SearchRequest withMode(SearchMode newMode) {
    return new SearchRequest(query, vector, k, newMode, filter, oversample, includeVectors);
  }

  /**
   * This request with a filter.
   *
   * @param newFilter the filter, or null for none
   * @return a new request
   */
  public SearchRequest withFilter(Filter newFilter) {
    return new SearchRequest(query, vector, k, mode, newFilter, oversample, includeVectors);
  }

  /**
   * This request with another number of hits.
   *
   * @param newK how many hits
   * @return a new request
   */
  public SearchRequest withK(int newK) {
    return new SearchRequest(query, vector, newK, mode, filter, oversample, includeVectors);
  }

  /**
   * This request with another oversampling factor.
   *
   * @param newOversample candidates per wanted hit
   * @return a new request
   */
  public SearchRequest withOversample(int newOversample) {
    return new SearchRequest(query, vector, k, mode, filter, newOversample, includeVectors);
  }

  /**
   * This request with a query vector (the text, if any, stays for the keyword half of a hybrid
   * search).
   *
   * @param newVector the query vector, or null to embed the text
   * @return a new request
   */
  public SearchRequest withVector(float[] newVector) {
    return new SearchRequest(query, newVector, k, mode, filter, oversample, includeVectors);
  }

  /**
   * This request asking for (or not) each hit's stored vector.
   *
   * @param include whether hits carry vectors
   * @return a new request
   */
  public SearchRequest withVectors(boolean include) {
    return new SearchRequest(query, vector, k, mode, filter, oversample, include);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchRequest r
        && Objects.equals(query, r.query)
        && Arrays.equals(vector, r.vector)
        && k == r.k
        && mode == r.mode
        && Objects.equals(filter, r.filter)
        && oversample == r.oversample
        && includeVectors == r.includeVectors;
  }

  @Override
  public int hashCode() {
    return Objects.hash(query, k, mode, filter, oversample, includeVectors) * 31
        + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "SearchRequest[query="
        + query
        + (vector == null ? "" : ", vector=float[" + vector.length + "]")
        + ", k="
        + k
        + ", mode="
        + mode
        + ", filter="
        + filter
        + ", oversample="
        + oversample
        + (includeVectors ? ", includeVectors" : "")
        + "]";
  }
}
