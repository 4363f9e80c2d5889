package dev.embedstore.lucene;

/**
 * How the HNSW index encodes vectors. The cached float32 vectors are kept whatever is chosen, so
 * switching with {@link LuceneVectorStore#rebuild(StoreConfig)} needs no model.
 */
public enum Quantization {
  /** float32, exact scores. */
  NONE,
  /** 8 bits per dimension (4× smaller); recall close to NONE. */
  INT8,
  /** 4 bits per dimension (8× smaller). */
  INT4,
  /** 1 bit per dimension (32× smaller), 4-bit queries. */
  BINARY
}
