package dev.embedstore.cache;

import dev.embedstore.embed.ModelFingerprint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link EmbeddingCache} in memory, bounded by a number of entries or of bytes, evicting the
 * least recently used entry first. {@link CachedEmbedder} uses one for query vectors by default.
 *
 * <p>Sizes count each entry as its vector ({@code 4 × dimension} bytes) plus {@value
 * #ENTRY_OVERHEAD} bytes for the key, the map node and the array header.
 *
 * <p><b>NOTE</b>: thread-safe. One lock guards the map; each batch takes it once.
 */
public final class InMemoryEmbeddingCache implements EmbeddingCache {
  /** The bytes counted for an entry on top of its vector: key, map node, array header. */
  public static final int ENTRY_OVERHEAD = 128;

  private final long maxEntries;
  private final long maxBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<CacheKey, CacheEntry> map = new LinkedHashMap<>(16, 0.75f, true);
  private final VectorDimensions dimensions = new VectorDimensions();
  private long bytes;
  private long hits;
  private long misses;
  private long puts;
  private long evictions;
  private boolean closed;

  private InMemoryEmbeddingCache(long maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /**
   * A cache that holds at most {@code maxEntries} entries.
   *
   * @param maxEntries the bound, at least 1
   * @return a new cache
   */
  public static InMemoryEmbeddingCache withMaxEntries(long maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be > 0; maxEntries=" + maxEntries);
    }
    return new InMemoryEmbeddingCache(maxEntries, Long.MAX_VALUE);
  }

  /**
   * A cache whose entries take at most {@code maxBytes} bytes, as counted above.
   *
   * @param maxBytes the bound, at least 1
   * @return a new cache
   */
  public static InMemoryEmbeddingCache withMaxBytes(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0; maxBytes=" + maxBytes);
    }
    return new InMemoryEmbeddingCache(Long.MAX_VALUE, maxBytes);
  }

  /**
   * The bytes an entry of this dimension is counted as.
   *
   * @param dimension the vector's dimension
   * @return the size used for the byte bound
   */
  public static long entryBytes(int dimension) {
    return ENTRY_OVERHEAD + 4L * dimension;
  }

  @Override
  public float[][] getAll(List<CacheKey> keys) {
    Objects.requireNonNull(keys, "keys");
    float[][] out = new float[keys.size()][];
    lock.lock();
    try {
      ensureOpen();
      for (int i = 0; i < out.length; i++) {
        CacheKey key = keys.get(i);
        if (key == null) {
          throw new NullPointerException("keys.get(" + i + ")");
        }
        CacheEntry entry = map.get(key);
        if (entry == null) {
          misses++;
        } else {
          hits++;
          out[i] = entry.vector();
        }
      }
    } finally {
      lock.unlock();
    }
    // Copies outside the lock: the caller may change what it gets, the cache's arrays never change.
    for (int i = 0; i < out.length; i++) {
      if (out[i] != null) {
        out[i] = out[i].clone();
      }
    }
    return out;
  }

  @Override
  public void putAll(Collection<CacheEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    lock.lock();
    try {
      ensureOpen();
      dimensions.check(entries);
      for (CacheEntry entry : entries) {
        CacheEntry old =
            map.put(
                entry.key(),
                new CacheEntry(
                    entry.key(), entry.fingerprint(), entry.role(), entry.vector().clone()));
        if (old != null) {
          bytes -= entryBytes(old.vector().length);
        }
        bytes += entryBytes(entry.vector().length);
        puts++;
      }
      evict();
    } finally {
      lock.unlock();
    }
  }

  private void evict() {
    Iterator<CacheEntry> eldest = map.values().iterator();
    while ((map.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      CacheEntry e = eldest.next();
      eldest.remove();
      bytes -= entryBytes(e.vector().length);
      evictions++;
    }
  }

  @Override
  public long invalidate(Collection<CacheKey> keys) {
    Objects.requireNonNull(keys, "keys");
    long removed = 0;
    lock.lock();
    try {
      ensureOpen();
      int i = 0;
      for (CacheKey key : keys) {
        if (key == null) {
          throw new NullPointerException("keys[" + i + "]");
        }
        CacheEntry e = map.remove(key);
        if (e != null) {
          bytes -= entryBytes(e.vector().length);
          removed++;
        }
        i++;
      }
    } finally {
      lock.unlock();
    }
    return removed;
  }

  @Override
  public long clear(ModelFingerprint fingerprint) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    long removed = 0;
    lock.lock();
    try {
      ensureOpen();
      for (Iterator<CacheEntry> it = map.values().iterator(); it.hasNext(); ) {
        CacheEntry e = it.next();
        if (e.fingerprint().equals(fingerprint)) {
          it.remove();
          bytes -= entryBytes(e.vector().length);
          removed++;
        }
      }
      dimensions.forget(fingerprint);
    } finally {
      lock.unlock();
    }
    return removed;
  }

  @Override
  public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(visitor, "visitor");
    List<CacheEntry> snapshot = new ArrayList<>();
    lock.lock();
    try {
      ensureOpen();
      for (CacheEntry e : map.values()) {
        if (e.fingerprint().equals(fingerprint)) {
          snapshot.add(e);
        }
      }
    } finally {
      lock.unlock();
    }
    // The visitor runs without the lock, so it may do slow IO or call back into this cache.
    for (CacheEntry e : snapshot) {
      visitor.visit(new CacheEntry(e.key(), e.fingerprint(), e.role(), e.vector().clone()));
    }
  }

  @Override
  public CacheStats stats() {
    lock.lock();
    try {
      ensureOpen();
      return new CacheStats(map.size(), bytes, hits, misses, puts, evictions);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      map.clear();
      bytes = 0;
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("InMemoryEmbeddingCache is closed");
    }
  }

  @Override
  public String toString() {
    return "InMemoryEmbeddingCache[maxEntries="
        + (maxEntries == Long.MAX_VALUE ? "unbounded" : maxEntries)
        + ", maxBytes="
        + (maxBytes == Long.MAX_VALUE ? "unbounded" : maxBytes)
        + "]";
  }
}
