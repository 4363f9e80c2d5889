package dev.embedstore.store;

/**
 * What one upsert did.
 *
 * @param documents documents given
 * @param added documents new to the store
 * @param updated documents whose text, title or metadata changed
 * @param unchanged documents identical to the stored ones, not rewritten
 * @param chunks chunks written (of added and updated documents)
 * @param embedded texts the model computed
 * @param cacheHits texts whose vectors came from the cache
 * @param truncated texts cut to the model's token limit (0 when the embedder does not say)
 * @param nanos wall time
 */
public record UpsertResult(
    long documents,
    long added,
    long updated,
    long unchanged,
    long chunks,
    long embedded,
    long cacheHits,
    long truncated,
    long nanos) {

  /**
   * What this upsert and another did together: every count and the time added up.
   *
   * @param other the other upsert's result
   * @return the sum
   */
  public UpsertResult plus(UpsertResult other) {
    return new UpsertResult(
        documents + other.documents,
        added + other.added,
        updated + other.updated,
        unchanged + other.unchanged,
        chunks + other.chunks,
        embedded + other.embedded,
        cacheHits + other.cacheHits,
        truncated + other.truncated,
        nanos + other.nanos);
  }
}
