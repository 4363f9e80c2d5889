package dev.embedstore.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.EmbeddingException;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class CachedEmbedderTest {

  /** Texts drawn from a small pool, so that repeats within and across calls are common. */
  static List<String> textsWithRepeats(Random random, int n, int pool) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int t = random.nextInt(pool);
      texts.add(
          t % 17 == 0
              ? ""
              : t % 19 == 0 ? "   " : "text number " + t + " é\uD83D\uDE00".repeat(t % 3));
    }
    return texts;
  }

  static void assertBitIdentical(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      float[] e = expected.get(i);
      float[] a = actual.get(i);
      assertEquals(e.length, a.length);
      for (int d = 0; d < e.length; d++) {
        assertEquals(
            Float.floatToRawIntBits(e[d]),
            Float.floatToRawIntBits(a[d]),
            "text " + i + " dim " + d);
      }
    }
  }

  @Test
  void vectorsEqualTheModelsBitForBitColdAndWarm(Random random) throws IOException {
    FakeEmbedder direct = new FakeEmbedder("m", 24);
    FakeEmbedder model = new FakeEmbedder("m", 24);
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(100_000);
        CachedEmbedder cached = CachedEmbedder.builder(model, cache).batchSize(7).build()) {
      for (int round = 0; round < 5; round++) {
        List<String> texts = textsWithRepeats(random, 1 + random.nextInt(300), 150);
        Role role = random.nextBoolean() ? Role.DOCUMENT : Role.QUERY;
        assertBitIdentical(direct.embed(texts, role), cached.embed(texts, role));
      }
    }
  }

  @Test
  void eachDistinctMissingTextReachesTheModelOnce(Random random) throws IOException {
    FakeEmbedder model = new FakeEmbedder("m", 8);
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(100_000);
        CachedEmbedder cached = CachedEmbedder.builder(model, cache).batchSize(16).build()) {
      Set<String> distinct = new HashSet<>();
      long positions = 0;
      for (int round = 0; round < 10; round++) {
        List<String> texts = textsWithRepeats(random, 200, 500);
        distinct.addAll(texts);
        positions += texts.size();
        cached.embed(texts, Role.DOCUMENT);
      }
      assertEquals(distinct.size(), model.textsEmbedded(), "model calls = distinct texts");
      assertEquals(1, model.maxTimesEmbedded(), "no text may reach the model twice");
      CachedEmbedder.Stats stats = cached.stats();
      assertEquals(positions, stats.hits() + stats.misses());
      assertEquals(distinct.size(), stats.embedded());
      assertEquals(stats.misses(), stats.embedded() + stats.deduplicated());
      assertTrue(stats.deduplicated() > 0, "the test must exercise repeats within a call");
      assertTrue(stats.hits() > 0, "the test must exercise repeats across calls");
    }
  }

  @Test
  void lookupOrEmbedReportsThisCallsCounts() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(1_000);
        CachedEmbedder cached = CachedEmbedder.builder(model, cache).build()) {
      CachedEmbedder.Outcome first = cached.lookupOrEmbed(List.of("a", "b", "a"), Role.DOCUMENT);
      assertEquals(0, first.hits());
      assertEquals(2, first.embedded());
      assertEquals(1, first.deduplicated());
      assertEquals(CacheKey.of(model.fingerprint(), "", Role.DOCUMENT, "b"), first.keys().get(1));
      assertNotSame(first.vectors().get(0), first.vectors().get(2), "each position owns its array");
      assertArrayEquals(first.vectors().get(0), first.vectors().get(2));
      CachedEmbedder.Outcome second = cached.lookupOrEmbed(List.of("b", "c", "a"), Role.DOCUMENT);
      assertEquals(2, second.hits());
      assertEquals(1, second.embedded());
      assertEquals(0, second.deduplicated());
    }
  }

  @Test
  void cacheIsWrittenAfterEveryBatchSoACrashLosesAtMostOne() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    RecordingCache cache = new RecordingCache(InMemoryEmbeddingCache.withMaxEntries(10_000));
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      texts.add("t" + i);
    }
    model.failAfter(35); // the 4th batch of 10 fails inside the model
    try (CachedEmbedder cached = CachedEmbedder.builder(model, cache).batchSize(10).build()) {
      assertThrows(IllegalStateException.class, () -> cached.embed(texts, Role.DOCUMENT));
      assertEquals(List.of(10, 10, 10), cache.putSizes, "three whole batches were written");
      assertEquals(1, cache.getAllCalls, "one batched lookup per call");
      // The rerun embeds only what the crash lost.
      model.failAfter(Long.MAX_VALUE);
      model.resetCounts();
      cached.embed(texts, Role.DOCUMENT);
      assertEquals(70, model.textsEmbedded());
    }
  }

  @Test
  void queriesGoToTheQueryCacheUnlessPersisted() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    try (InMemoryEmbeddingCache main = InMemoryEmbeddingCache.withMaxEntries(1_000)) {
      try (CachedEmbedder cached = CachedEmbedder.builder(model, main).build()) {
        cached.embed(List.of("q1", "q2"), Role.QUERY);
        cached.embed(List.of("q1"), Role.QUERY);
        assertEquals(2, model.textsEmbedded(), "the second q1 comes from the query cache");
        assertEquals(0, main.stats().entries(), "queries stay out of the main cache by default");
      }
      try (CachedEmbedder persisted =
          CachedEmbedder.builder(model, main).persistQueries().build()) {
        persisted.embed(List.of("q1", "q3"), Role.QUERY);
        assertEquals(2, main.stats().entries());
      }
      try (InMemoryEmbeddingCache queries = InMemoryEmbeddingCache.withMaxEntries(10)) {
        CachedEmbedder custom = CachedEmbedder.builder(model, main).queryCache(queries).build();
        custom.embed(List.of("q4"), Role.QUERY);
        assertEquals(1, queries.stats().entries());
        custom.close();
        assertEquals(1, queries.stats().entries(), "a query cache the caller gave stays open");
      }
    }
  }

  @Test
  void namespaceAndRoleSeparateEntries() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(1_000);
        CachedEmbedder a =
            CachedEmbedder.builder(model, cache).namespace("tenant-a").persistQueries().build();
        CachedEmbedder b =
            CachedEmbedder.builder(model, cache).namespace("tenant-b").persistQueries().build()) {
      a.embed(List.of("same text"), Role.DOCUMENT);
      b.embed(List.of("same text"), Role.DOCUMENT);
      a.embed(List.of("same text"), Role.QUERY);
      a.embed(List.of("same text"), Role.DOCUMENT);
      assertEquals(3, model.textsEmbedded());
      assertEquals(3, cache.stats().entries());
      assertEquals("tenant-a", a.namespace());
    }
  }

  @Test
  void aChangedFingerprintNeverGetsAStaleVector() throws IOException {
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(1_000)) {
      FakeEmbedder v1 = new FakeEmbedder("model-v1", 8);
      FakeEmbedder v2 = new FakeEmbedder("model-v2", 8);
      try (CachedEmbedder c1 = CachedEmbedder.builder(v1, cache).build();
          CachedEmbedder c2 = CachedEmbedder.builder(v2, cache).build()) {
        c1.embed(List.of("x"), Role.DOCUMENT);
        c2.embed(List.of("x"), Role.DOCUMENT);
        assertEquals(1, v2.textsEmbedded(), "the new model must compute its own vector");
        assertEquals(2, cache.stats().entries(), "both models' entries live side by side");
      }
    }
  }

  @Test
  void emptyAndWhitespaceTextsAreValidAndEmptyListsWork() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(1_000);
        CachedEmbedder cached = CachedEmbedder.builder(model, cache).build()) {
      assertEquals(List.of(), cached.embed(List.of(), Role.DOCUMENT));
      List<float[]> v = cached.embed(List.of("", " ", "\t\n"), Role.DOCUMENT);
      assertEquals(3, v.size());
      assertEquals(16, v.get(0).length);
    }
  }

  @Test
  void badArgumentsAndClosedStateAreReported() throws IOException {
    FakeEmbedder model = FakeEmbedder.small();
    InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(10);
    CachedEmbedder cached = CachedEmbedder.builder(model, cache).build();
    NullPointerException npe =
        assertThrows(
            NullPointerException.class,
            () -> cached.embed(Arrays.asList("a", null), Role.DOCUMENT));
    assertEquals("texts.get(1)", npe.getMessage());
    assertThrows(
        NullPointerException.class, () -> cached.embed((List<String>) null, Role.DOCUMENT));
    assertThrows(NullPointerException.class, () -> cached.embed(List.of("a"), null));
    assertThrows(
        IllegalArgumentException.class, () -> CachedEmbedder.builder(model, cache).batchSize(0));
    assertThrows(NullPointerException.class, () -> CachedEmbedder.builder(null, cache));
    cached.close();
    cached.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> cached.embed(List.of("a"), Role.DOCUMENT));
    assertEquals("CachedEmbedder is closed", e.getMessage());
    cache.stats(); // the cache it was given is still open
    cache.close();
  }

  @Test
  void aModelReturningTheWrongShapeIsCaught() throws IOException {
    Embedder broken =
        new Embedder() {
          final ModelFingerprint fp = ModelFingerprint.builder().add("broken", 1).build();

          @Override
          public String modelName() {
            return "broken";
          }

          @Override
          public ModelFingerprint fingerprint() {
            return fp;
          }

          @Override
          public int dimension() {
            return 4;
          }

          @Override
          public List<float[]> embed(List<String> texts, Role role) {
            return List.of(new float[3]);
          }

          @Override
          public void close() {}
        };
    try (InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(10);
        CachedEmbedder cached = CachedEmbedder.builder(broken, cache).build()) {
      EmbeddingException e =
          assertThrows(EmbeddingException.class, () -> cached.embed(List.of("a"), Role.DOCUMENT));
      assertTrue(e.getMessage().contains("broken"), e.getMessage());
      assertThrows(EmbeddingException.class, () -> cached.embed(List.of("a", "b"), Role.DOCUMENT));
      assertEquals(0, cache.stats().entries());
    }
  }

  /** Counts calls and records the size of every write. */
  static final class RecordingCache implements EmbeddingCache {
    final EmbeddingCache delegate;
    final List<Integer> putSizes = new CopyOnWriteArrayList<>();
    int getAllCalls;

    RecordingCache(EmbeddingCache delegate) {
      this.delegate = delegate;
    }

    @Override
    public float[][] getAll(List<CacheKey> keys) throws IOException {
      getAllCalls++;
      return delegate.getAll(keys);
    }

    @Override
    public void putAll(Collection<CacheEntry> entries) throws IOException {
      putSizes.add(entries.size());
      delegate.putAll(entries);
    }

    @Override
    public long invalidate(Collection<CacheKey> keys) throws IOException {
      return delegate.invalidate(keys);
    }

    @Override
    public long clear(ModelFingerprint fingerprint) throws IOException {
      return delegate.clear(fingerprint);
    }

    @Override
    public void forEach(ModelFingerprint fingerprint, EntryVisitor visitor) throws IOException {
      delegate.forEach(fingerprint, visitor);
    }

    @Override
    public CacheStats stats() throws IOException {
      return delegate.stats();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
