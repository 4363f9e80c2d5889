package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.testing.BaseEmbeddingCacheTestCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneEmbeddingCacheTest extends BaseEmbeddingCacheTestCase {
  @TempDir Path dir;
  private int opened;

  @Override
  protected EmbeddingCache newCache() throws IOException {
    return LuceneEmbeddingCache.open(Files.createDirectories(dir.resolve("c" + opened++)));
  }

  @Override
  protected void commit(EmbeddingCache cache) throws IOException {
    ((LuceneEmbeddingCache) cache).commit();
  }

  @Test
  void entriesSurviveReopeningBitExact(Random random) throws IOException {
    ModelFingerprint fp = ModelFingerprint.builder().add("m", "reopen").build();
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      entries.add(
          new CacheEntry(
              CacheKey.of(fp, "", Role.DOCUMENT, "text " + i),
              fp,
              Role.DOCUMENT,
              randomVector(random, 48)));
    }
    Path folder = dir.resolve("reopen");
    try (LuceneEmbeddingCache c = LuceneEmbeddingCache.open(folder)) {
      c.putAll(entries);
    }
    try (LuceneEmbeddingCache c = LuceneEmbeddingCache.open(folder)) {
      float[][] got = c.getAll(entries.stream().map(CacheEntry::key).toList());
      for (int i = 0; i < entries.size(); i++) {
        assertNotNull(got[i], "entry " + i);
        for (int d = 0; d < 48; d++) {
          assertEquals(
              Float.floatToRawIntBits(entries.get(i).vector()[d]),
              Float.floatToRawIntBits(got[i][d]));
        }
      }
      assertEquals(500, c.stats().entries());
    }
  }
}
