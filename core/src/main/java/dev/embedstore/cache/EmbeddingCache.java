package dev.embedstore.cache;

import dev.embedstore.embed.ModelFingerprint;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * A store of vectors by {@link CacheKey}: the service provider interface behind {@link
 * CachedEmbedder}.
 *
 * <p>Every operation takes a batch: a cache backed by an index or a disk answers many keys far
 * faster in one call than one by one. Implementations must:
 *
 * <ul>
 *   <li>return vectors bit-exact as they were put, as arrays the caller may keep and change;
 *   <li>hold entries of several models (fingerprints) side by side, each with its own dimension,
 *       and refuse a vector whose dimension differs from the one already held for its fingerprint
 *       with an {@link IllegalArgumentException} that states both;
 *   <li>refuse vectors with NaN or infinite components, with an {@link IllegalArgumentException};
 *   <li>throw {@link NullPointerException} naming the argument for a null collection or element;
 *   <li>make {@link #close()} idempotent and throw {@link IllegalStateException} naming the class
 *       for any other call after it.
 * </ul>
 *
 * <p>{@code BaseEmbeddingCacheTestCase} in this module's test-jar checks all of the above; every
 * implementation's tests extend it.
 *
 * <p><b>NOTE</b>: implementations are thread-safe.
 */
public interface EmbeddingCache extends AutoCloseable {

  /**
   * Looks up many keys at once. Duplicate keys are allowed.
   *
   * @param keys the keys
   * @return an array aligned with {@code keys}: element {@code i} is the vector of {@code
   *     keys.get(i)}, or null when that key is absent
   * @throws IOException if the cache cannot be read
   */
  float[][] getAll(List<CacheKey> keys) throws IOException;

  /**
   * Stores entries, replacing any with the same key. A persistent cache may buffer them until its
   * owner commits; they are visible to {@link #getAll} on return either way.
   *
   * @param entries the entries; the cache keeps no reference to their arrays
   * @throws IOException if the cache cannot be written
   * @throws IllegalArgumentException if a vector has the wrong dimension for its fingerprint or a
   *     non-finite component
   */
  void putAll(Collection<CacheEntry> entries) throws IOException;

  /**
   * Removes entries by key; absent keys are ignored.
   *
   * @param keys the keys to remove
   * @return how many entries were removed
   * @throws IOException if the cache cannot be written
   */
  long invalidate(Collection<CacheKey> keys) throws IOException;

  /**
   * Removes every entry made by one model.
   *
   * @param fingerprint the model's fingerprint
   * @return how many entries were removed
   * @throws IOException if the cache cannot be written
   */
  long clear(ModelFingerprint fingerprint) throws IOException;

  /**
   * Visits every entry of one model, for export. The order is unspecified. Entries put or removed
   * during the visit may or may not be seen.
   *
   * @param fingerprint the model's fingerprint
   * @param visitor called once per entry
   * @throws IOException if the cache cannot be read, or the visitor throws it
   */
  void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException;

  /**
   * The cache's size and traffic.
   *
   * @return a snapshot
   * @throws IOException if the cache cannot be read
   */
  CacheStats stats() throws IOException;

  /**
   * Releases the cache. Idempotent.
   *
   * @throws IOException if releasing a persistent cache fails
   */
  @Override
  void close() throws IOException;

  /** Receives entries from {@link EmbeddingCache#forEach}. */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * Receives one entry.
     *
     * @param entry the entry; its vector belongs to the visitor
     * @throws IOException to stop the visit with that failure
     */
    void visit(CacheEntry entry) throws IOException;
  }
}
