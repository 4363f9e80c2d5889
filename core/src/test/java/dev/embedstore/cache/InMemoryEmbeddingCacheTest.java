package dev.embedstore.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embedstore.embed.Role;
import dev.embedstore.testing.BaseEmbeddingCacheTestCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEmbeddingCacheTest extends BaseEmbeddingCacheTestCase {

  @Override
  protected EmbeddingCache newCache() {
    return InMemoryEmbeddingCache.withMaxEntries(100_000);
  }

  private static CacheEntry entry(String text, int dimension) {
    return new CacheEntry(
        key(FP_A, Role.DOCUMENT, text), FP_A, Role.DOCUMENT, new float[dimension]);
  }

  private static CacheKey k(String text) {
    return key(FP_A, Role.DOCUMENT, text);
  }

  @Test
  void entryBoundEvictsTheLeastRecentlyUsed() throws IOException {
    try (InMemoryEmbeddingCache lru = InMemoryEmbeddingCache.withMaxEntries(3)) {
      lru.putAll(List.of(entry("a", 4), entry("b", 4), entry("c", 4)));
      lru.getAll(List.of(k("a"))); // a is now the most recently used
      lru.putAll(List.of(entry("d", 4)));
      float[][] got = lru.getAll(List.of(k("a"), k("b"), k("c"), k("d")));
      assertNotNull(got[0], "a was used recently and must stay");
      assertNull(got[1], "b was the least recently used and must go");
      assertNotNull(got[2]);
      assertNotNull(got[3]);
      assertEquals(3, lru.stats().entries());
      assertEquals(1, lru.stats().evictions());
    }
  }

  @Test
  void byteBoundCountsVectorsAndOverhead() throws IOException {
    long perEntry = InMemoryEmbeddingCache.entryBytes(100);
    assertEquals(InMemoryEmbeddingCache.ENTRY_OVERHEAD + 400, perEntry);
    try (InMemoryEmbeddingCache lru = InMemoryEmbeddingCache.withMaxBytes(10 * perEntry)) {
      List<CacheEntry> entries = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        entries.add(entry("t" + i, 100));
      }
      lru.putAll(entries);
      CacheStats stats = lru.stats();
      assertEquals(10, stats.entries());
      assertEquals(10 * perEntry, stats.bytes());
      assertEquals(15, stats.evictions());
      float[][] got = lru.getAll(List.of(k("t14"), k("t15"), k("t24")));
      assertNull(got[0]);
      assertNotNull(got[1]);
      assertNotNull(got[2]);
    }
  }

  @Test
  void boundsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> InMemoryEmbeddingCache.withMaxEntries(0));
    assertThrows(IllegalArgumentException.class, () -> InMemoryEmbeddingCache.withMaxBytes(-1));
  }
}
