package dev.embedstore.store.spi;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.ModelFingerprint;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A read-only view of a store's cache, which {@link dev.embedstore.store.VectorStore#cache()} hands
 * out: lookups, visits and statistics go to the store's cache; writes throw {@link
 * UnsupportedOperationException} (the store writes its cache under its own locks, with its
 * commits); {@link #close()} does nothing, so closing the view never breaks the store.
 *
 * <p>Thread-safe when the cache is.
 */
public final class ReadOnlyCache implements EmbeddingCache {
  private final EmbeddingCache cache;
  private final String storeName;

  /**
   * Wraps a store's cache.
   *
   * @param cache the cache
   * @param storeName the store, for messages
   */
  public ReadOnlyCache(EmbeddingCache cache, String storeName) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  @Override
  public float[][] getAll(List<CacheKey> keys) throws IOException {
    return cache.getAll(keys);
  }

  @Override
  public void putAll(Collection<CacheEntry> entries) {
    throw readOnly("putAll", "VectorStore.putCacheEntries");
  }

  @Override
  public long invalidate(Collection<CacheKey> keys) {
    throw readOnly("invalidate", "the store's gc");
  }

  @Override
  public long clear(ModelFingerprint fingerprint) {
    throw readOnly("clear", "the store's gc");
  }

  @Override
  public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
    cache.forEach(fingerprint, visitor);
  }

  @Override
  public CacheStats stats() throws IOException {
    return cache.stats();
  }

  /** Does nothing: the cache is the store's, closed with it. */
  @Override
  public void close() {}

  private UnsupportedOperationException readOnly(String operation, String instead) {
    return new UnsupportedOperationException(
        "the cache of store "
            + storeName
            + " is read-only here ("
            + operation
            + "): the store writes it with its own commits; use "
            + instead);
  }

  @Override
  public String toString() {
    return "ReadOnlyCache[" + cache + "]";
  }
}
