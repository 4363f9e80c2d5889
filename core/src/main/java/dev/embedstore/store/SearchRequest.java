package dev.embedstore.store;

import java.util.Objects;

/**
 * What to search for.
 *
 * @param query the query text
 * @param k how many documents to return
 * @param mode how to search
 * @param filter a metadata pre-filter, or null
 * @param oversample how many candidates the graph search keeps per wanted hit ({@code k' = k *
 *     oversample}); more is slower and finds the true neighbours more often
 */
public record SearchRequest(String query, int k, SearchMode mode, Filter filter, int oversample) {
  /**
   * The default oversampling factor: k' = 80 for k = 10. Measured on SciFact (5,183 documents,
   * docs/benchmarks.md), a store in one or two segments keeps recall@10 against exact search at
   * about 0.99 (float32 and int8) with it, where k' = 40 gives 0.98 or a little less; a store of
   * many small segments searches each graph with k' and gets higher recall at any factor.
   */
  public static final int DEFAULT_OVERSAMPLE = 8;

  /** Checks the arguments. */
  public SearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(mode, "mode");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; k=" + k);
    }
    if (oversample < 1) {
      throw new IllegalArgumentException("oversample must be >= 1; oversample=" + oversample);
    }
  }

  /**
   * A vector search for the k nearest documents.
   *
   * @param query the query
   * @param k how many hits
   * @return the request
   */
  public static SearchRequest of(String query, int k) {
    return new SearchRequest(query, k, SearchMode.VECTOR, null, DEFAULT_OVERSAMPLE);
  }

  /**
   * This request with another mode.
   *
   * @param newMode the mode
   * @return a new request
   */
  public SearchRequest withMode(SearchMode newMode) {
    return new SearchRequest(query, k, newMode, filter, oversample);
  }

  /**
   * This request with a filter.
   *
   * @param newFilter the filter, or null for none
   * @return a new request
   */
  public SearchRequest withFilter(Filter newFilter) {
    return new SearchRequest(query, k, mode, newFilter, oversample);
  }
}
