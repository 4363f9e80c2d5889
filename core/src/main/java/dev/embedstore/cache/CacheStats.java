package dev.embedstore.cache;

/**
 * A snapshot of a cache's size and traffic. Traffic counters start at zero when the cache is
 * opened.
 *
 * @param entries the number of entries held now
 * @param bytes an estimate of the bytes those entries take (vectors and keys; on disk for a
 *     persistent cache, in memory otherwise)
 * @param hits keys found by lookups since the cache was opened
 * @param misses keys not found by lookups since the cache was opened
 * @param puts entries written since the cache was opened
 * @param evictions entries dropped to stay within a bound (always 0 for an unbounded cache)
 */
public record CacheStats(
    long entries, long bytes, long hits, long misses, long puts, long evictions) {

  /**
   * The fraction of looked-up keys that were found.
   *
   * @return hits / (hits + misses), or 0 when nothing was looked up
   */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }
}
