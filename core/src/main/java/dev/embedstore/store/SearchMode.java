package dev.embedstore.store;

/** How a search finds its hits. */
public enum SearchMode {
  /** Approximate nearest neighbours on the HNSW graph. */
  VECTOR,
  /** BM25 over the text and title. */
  KEYWORD,
  /** VECTOR and KEYWORD fused by reciprocal-rank fusion. */
  HYBRID,
  /** Exact nearest neighbours: every matching vector scored; slow, for measuring recall. */
  EXACT
}
