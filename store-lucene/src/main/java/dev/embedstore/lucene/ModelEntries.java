package dev.embedstore.lucene;

import dev.embedstore.embed.ModelFingerprint;

/**
 * How many vectors a cache holds for one model.
 *
 * @param fingerprint the model's fingerprint
 * @param documents live entries with the document role
 * @param queries live entries with the query role
 * @param dimension the vectors' dimension
 */
public record ModelEntries(
    ModelFingerprint fingerprint, long documents, long queries, int dimension) {
  /**
   * All live entries of the model.
   *
   * @return documents plus queries
   */
  public long entries() {
    return documents + queries;
  }
}
