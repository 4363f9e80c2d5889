package dev.embedstore.lucene;

/**
 * How a store indexes vectors and how often it commits.
 *
 * @param hnswM the HNSW graph's maximum connections per node (Lucene's default 16)
 * @param beamWidth the HNSW build beam width (Lucene's default 100)
 * @param quantization how vectors are encoded in the graph
 * @param commitInterval texts embedded between commits during an upsert: a crash loses at most this
 *     much model work
 */
public record StoreConfig(int hnswM, int beamWidth, Quantization quantization, int commitInterval) {
  /** The default settings: M 16, beam width 100, no quantisation, commit every 1,024 texts. */
  public static final StoreConfig DEFAULT = new StoreConfig(16, 100, Quantization.NONE, 1024);

  /** Checks the settings. */
  public StoreConfig {
    if (hnswM < 2 || hnswM > 512) {
      throw new IllegalArgumentException("hnswM must be in [2, 512]; hnswM=" + hnswM);
    }
    if (beamWidth < 1 || beamWidth > 3200) {
      throw new IllegalArgumentException("beamWidth must be in [1, 3200]; beamWidth=" + beamWidth);
    }
    if (quantization == null) {
      throw new NullPointerException("quantization");
    }
    if (commitInterval < 1) {
      throw new IllegalArgumentException(
          "commitInterval must be >= 1; commitInterval=" + commitInterval);
    }
  }

  /**
   * These settings with another quantisation.
   *
   * @param q the quantisation
   * @return new settings
   */
  public StoreConfig withQuantization(Quantization q) {
    return new StoreConfig(hnswM, beamWidth, q, commitInterval);
  }

  /**
   * These settings with another commit interval.
   *
   * @param texts texts between commits
   * @return new settings
   */
  public StoreConfig withCommitInterval(int texts) {
    return new StoreConfig(hnswM, beamWidth, quantization, texts);
  }
}
