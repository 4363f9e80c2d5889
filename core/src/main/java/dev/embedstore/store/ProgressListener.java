package dev.embedstore.store;

/** Told how a long upsert goes, after each batch. Called on the upserting thread; keep it quick. */
@FunctionalInterface
public interface ProgressListener {
  /**
   * Reports progress so far.
   *
   * @param documents documents done
   * @param embedded texts embedded by the model so far
   * @param cacheHits texts served from the cache so far
   */
  void progress(long documents, long embedded, long cacheHits);
}
