package dev.embedstore.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CacheStats;
import dev.embedstore.cache.EmbeddingCache;
import dev.embedstore.embed.ModelFingerprint;
import dev.embedstore.embed.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract of {@link EmbeddingCache}: every implementation's test extends this class and
 * implements {@link #newCache()}. Each test gets a fresh cache; randomized tests print their seed
 * on failure.
 */
@ExtendWith(Seeded.class)
public abstract class BaseEmbeddingCacheTestCase {
  /** Fingerprint of the first fake model. */
  protected static final ModelFingerprint FP_A =
      ModelFingerprint.builder().add("model", "contract-a").build();

  /** Fingerprint of the second fake model. */
  protected static final ModelFingerprint FP_B =
      ModelFingerprint.builder().add("model", "contract-b").build();

  /** The cache under test, created before each test and closed after it. */
  protected EmbeddingCache cache;

  /** Subclasses are instantiated by JUnit. */
  protected BaseEmbeddingCacheTestCase() {}

  /**
   * Creates an empty cache. A bounded implementation must allow at least 50,000 entries of
   * dimension 64.
   *
   * @return a new, empty, open cache
   * @throws IOException if it cannot be created
   */
  protected abstract EmbeddingCache newCache() throws IOException;

  /**
   * Makes what was put durable and visible, for caches that buffer writes. The default does
   * nothing.
   *
   * @param cache the cache
   * @throws IOException if committing fails
   */
  protected void commit(EmbeddingCache cache) throws IOException {}

  @BeforeEach
  void openCache() throws IOException {
    cache = newCache();
  }

  @AfterEach
  void closeCache() throws IOException {
    if (cache != null) {
      cache.close();
    }
  }

  /**
   * The key of a text under a fingerprint and role, with no namespace.
   *
   * @param fp the fingerprint
   * @param role the role
   * @param text the text
   * @return the key
   */
  protected static CacheKey key(ModelFingerprint fp, Role role, String text) {
    return CacheKey.of(fp, "", role, text);
  }

  /**
   * A random vector with awkward values mixed in: signed zeros, subnormals, extremes.
   *
   * @param random the source of randomness
   * @param dimension the length
   * @return the vector
   */
  protected static float[] randomVector(Random random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] =
          switch (random.nextInt(12)) {
            case 0 -> -0.0f;
            case 1 -> Float.MIN_VALUE;
            case 2 -> -Float.MAX_VALUE;
            case 3 -> Float.intBitsToFloat(random.nextInt(0x007FFFFF) + 1); // subnormal
            default -> (float) random.nextGaussian();
          };
    }
    return v;
  }

  private static CacheEntry entry(ModelFingerprint fp, Role role, String text, float[] v) {
    return new CacheEntry(key(fp, role, text), fp, role, v);
  }

  private static void assertBitExact(float[] expected, float[] actual) {
    assertNotNull(actual, "vector missing");
    assertEquals(expected.length, actual.length, "dimension");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(expected[i]),
          Float.floatToRawIntBits(actual[i]),
          "bits differ at index " + i);
    }
  }

  @Test
  public void roundTripIsBitExact(Random random) throws IOException {
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Role role = random.nextBoolean() ? Role.DOCUMENT : Role.QUERY;
      entries.add(entry(FP_A, role, "text " + i, randomVector(random, 64)));
    }
    cache.putAll(entries);
    commit(cache);
    List<CacheKey> keys = entries.stream().map(CacheEntry::key).toList();
    float[][] got = cache.getAll(keys);
    assertEquals(entries.size(), got.length);
    for (int i = 0; i < entries.size(); i++) {
      assertBitExact(entries.get(i).vector(), got[i]);
    }
  }

  @Test
  public void missingKeysAreNullAndDuplicatesAreAnswered(Random random) throws IOException {
    float[] v = randomVector(random, 64);
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "present", v)));
    commit(cache);
    CacheKey present = key(FP_A, Role.DOCUMENT, "present");
    CacheKey absent = key(FP_A, Role.DOCUMENT, "absent");
    CacheKey otherRole = key(FP_A, Role.QUERY, "present");
    CacheKey otherModel = key(FP_B, Role.DOCUMENT, "present");
    float[][] got = cache.getAll(List.of(absent, present, otherRole, present, otherModel));
    assertNull(got[0]);
    assertBitExact(v, got[1]);
    assertNull(got[2], "the same text as another role is another entry");
    assertBitExact(v, got[3]);
    assertNull(got[4], "the same text of another model is another entry");
    assertEquals(0, cache.getAll(List.of()).length);
  }

  @Test
  public void putReplacesAnEntryWithTheSameKey(Random random) throws IOException {
    float[] first = randomVector(random, 64);
    float[] second = randomVector(random, 64);
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "x", first)));
    commit(cache);
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "x", second)));
    commit(cache);
    assertBitExact(second, cache.getAll(List.of(key(FP_A, Role.DOCUMENT, "x")))[0]);
    assertEquals(1, cache.stats().entries());
  }

  @Test
  public void callersCannotChangeWhatIsCached(Random random) throws IOException {
    float[] v = randomVector(random, 64);
    float[] put = v.clone();
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "x", put)));
    commit(cache);
    put[0] = 42f;
    CacheKey k = key(FP_A, Role.DOCUMENT, "x");
    float[] got = cache.getAll(List.of(k))[0];
    assertBitExact(v, got);
    got[1] = 43f;
    assertBitExact(v, cache.getAll(List.of(k))[0]);
  }

  @Test
  public void invalidateRemovesOnlyTheGivenKeys(Random random) throws IOException {
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      entries.add(entry(FP_A, Role.DOCUMENT, "t" + i, randomVector(random, 64)));
    }
    cache.putAll(entries);
    commit(cache);
    List<CacheKey> gone =
        List.of(entries.get(3).key(), entries.get(7).key(), key(FP_A, Role.DOCUMENT, "never put"));
    assertEquals(2, cache.invalidate(gone));
    commit(cache);
    float[][] got = cache.getAll(entries.stream().map(CacheEntry::key).toList());
    for (int i = 0; i < entries.size(); i++) {
      if (i == 3 || i == 7) {
        assertNull(got[i], "invalidated entry " + i + " still found");
      } else {
        assertBitExact(entries.get(i).vector(), got[i]);
      }
    }
    assertEquals(18, cache.stats().entries());
    assertEquals(0, cache.invalidate(List.of()));
  }

  @Test
  public void clearRemovesOneModelsEntriesOnly(Random random) throws IOException {
    List<CacheEntry> a = new ArrayList<>();
    List<CacheEntry> b = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      a.add(entry(FP_A, Role.DOCUMENT, "t" + i, randomVector(random, 64)));
      b.add(entry(FP_B, Role.DOCUMENT, "t" + i, randomVector(random, 32)));
    }
    cache.putAll(a);
    cache.putAll(b);
    commit(cache);
    assertEquals(60, cache.stats().entries());
    assertEquals(30, cache.clear(FP_A));
    commit(cache);
    assertEquals(30, cache.stats().entries());
    for (float[] v : cache.getAll(a.stream().map(CacheEntry::key).toList())) {
      assertNull(v);
    }
    float[][] kept = cache.getAll(b.stream().map(CacheEntry::key).toList());
    for (int i = 0; i < b.size(); i++) {
      assertBitExact(b.get(i).vector(), kept[i]);
    }
    // Once a model's entries are gone, its dimension is free again (a re-exported model, say).
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "new", randomVector(random, 8))));
    assertEquals(0, cache.clear(ModelFingerprint.builder().add("model", "never used").build()));
  }

  @Test
  public void forEachVisitsExactlyOneModelsEntries(Random random) throws IOException {
    Map<CacheKey, float[]> expected = new HashMap<>();
    Map<CacheKey, Role> expectedRoles = new HashMap<>();
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      CacheEntry e =
          entry(FP_A, i % 2 == 0 ? Role.DOCUMENT : Role.QUERY, "t" + i, randomVector(random, 64));
      entries.add(e);
      expected.put(e.key(), e.vector());
      expectedRoles.put(e.key(), e.role());
      entries.add(entry(FP_B, Role.DOCUMENT, "t" + i, randomVector(random, 16)));
    }
    cache.putAll(entries);
    commit(cache);
    Set<CacheKey> seen = new HashSet<>();
    cache.forEach(
        FP_A,
        e -> {
          assertEquals(FP_A, e.fingerprint());
          assertTrue(seen.add(e.key()), "visited twice: " + e.key());
          assertBitExact(expected.get(e.key()), e.vector());
          assertEquals(expectedRoles.get(e.key()), e.role());
        });
    assertEquals(expected.keySet(), seen);
    IOException stop = new IOException("stop");
    IOException thrown =
        assertThrows(
            IOException.class,
            () ->
                cache.forEach(
                    FP_A,
                    e -> {
                      throw stop;
                    }));
    assertEquals(stop, thrown, "the visitor's exception reaches the caller");
  }

  @Test
  public void statsCountEntriesAndTraffic(Random random) throws IOException {
    CacheStats empty = cache.stats();
    assertEquals(0, empty.entries());
    assertEquals(0, empty.hits());
    assertEquals(0, empty.misses());
    List<CacheEntry> entries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      entries.add(entry(FP_A, Role.DOCUMENT, "t" + i, randomVector(random, 64)));
    }
    cache.putAll(entries);
    commit(cache);
    List<CacheKey> lookups = new ArrayList<>(entries.stream().map(CacheEntry::key).toList());
    lookups.add(key(FP_A, Role.DOCUMENT, "missing 1"));
    lookups.add(key(FP_A, Role.DOCUMENT, "missing 2"));
    cache.getAll(lookups);
    CacheStats stats = cache.stats();
    assertEquals(10, stats.entries());
    assertEquals(10, stats.hits());
    assertEquals(2, stats.misses());
    assertEquals(10, stats.puts());
    assertTrue(stats.bytes() >= 10 * 64 * 4, "bytes must count the vectors at least: " + stats);
    assertEquals(10 / 12.0, stats.hitRate(), 1e-9);
  }

  @Test
  public void wrongDimensionIsRefusedWithExpectedAndActual(Random random) throws IOException {
    cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "x", randomVector(random, 64))));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "y", randomVector(random, 63)))));
    assertTrue(e.getMessage().contains("expected=64"), e.getMessage());
    assertTrue(e.getMessage().contains("actual=63"), e.getMessage());
    // A mixed batch is refused as a whole: the good entry before the bad one is not stored either.
    assertThrows(
        IllegalArgumentException.class,
        () ->
            cache.putAll(
                List.of(
                    entry(FP_A, Role.DOCUMENT, "good", randomVector(random, 64)),
                    entry(FP_A, Role.DOCUMENT, "bad", randomVector(random, 65)))));
    commit(cache);
    assertNull(cache.getAll(List.of(key(FP_A, Role.DOCUMENT, "good")))[0]);
    // Another model may have another dimension.
    cache.putAll(List.of(entry(FP_B, Role.DOCUMENT, "x", randomVector(random, 7))));
  }

  @Test
  public void nonFiniteVectorsAreRefused() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] v = new float[64];
      v[5] = bad;
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> cache.putAll(List.of(entry(FP_A, Role.DOCUMENT, "x", v))));
      assertTrue(e.getMessage().contains("index=5"), e.getMessage());
    }
  }

  @Test
  public void nullArgumentsAreNamed(Random random) {
    assertThrows(NullPointerException.class, () -> cache.getAll(null));
    List<CacheKey> withNull = Arrays.asList(key(FP_A, Role.DOCUMENT, "x"), null);
    assertThrows(NullPointerException.class, () -> cache.getAll(withNull));
    assertThrows(NullPointerException.class, () -> cache.putAll(null));
    List<CacheEntry> entriesWithNull =
        Arrays.asList(entry(FP_A, Role.DOCUMENT, "x", randomVector(random, 64)), null);
    assertThrows(NullPointerException.class, () -> cache.putAll(entriesWithNull));
    assertThrows(NullPointerException.class, () -> cache.invalidate(null));
    assertThrows(NullPointerException.class, () -> cache.clear(null));
    assertThrows(NullPointerException.class, () -> cache.forEach(null, e -> {}));
  }

  @Test
  public void closeIsIdempotentAndLaterCallsFail() throws IOException {
    cache.close();
    cache.close();
    String name = cache.getClass().getSimpleName();
    List<CacheKey> keys = List.of(key(FP_A, Role.DOCUMENT, "x"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.getAll(keys));
    assertTrue(e.getMessage().contains(name), e.getMessage());
    assertThrows(IllegalStateException.class, () -> cache.putAll(List.of()));
    assertThrows(IllegalStateException.class, () -> cache.stats());
    assertThrows(IllegalStateException.class, () -> cache.clear(FP_A));
    cache = null;
  }

  @Test
  public void concurrentReadersAndWritersSeeOnlyWholeCorrectVectors(Random random)
      throws Exception {
    int threads = 4;
    int keysPerThread = 2_000;
    int dimension = 64;
    long seed = random.nextLong();
    Map<CacheKey, Boolean> written = new ConcurrentHashMap<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                Random r = new Random(seed + id);
                try {
                  start.await();
                  for (int batch = 0; batch < keysPerThread / 100; batch++) {
                    List<CacheEntry> entries = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                      String text = "w" + id + "-" + (batch * 100 + i);
                      entries.add(
                          entry(
                              FP_A,
                              Role.DOCUMENT,
                              text,
                              FakeEmbedder.vectorOf(text, Role.DOCUMENT, dimension)));
                    }
                    cache.putAll(entries);
                    entries.forEach(e -> written.put(e.key(), true));
                    // Read a random mix of our own and others' texts; any vector found must be
                    // exact.
                    List<String> texts = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                      texts.add("w" + r.nextInt(threads) + "-" + r.nextInt(keysPerThread));
                    }
                    List<CacheKey> keys =
                        texts.stream().map(x -> key(FP_A, Role.DOCUMENT, x)).toList();
                    float[][] got = cache.getAll(keys);
                    for (int i = 0; i < got.length; i++) {
                      if (got[i] != null) {
                        assertArrayEquals(
                            FakeEmbedder.vectorOf(texts.get(i), Role.DOCUMENT, dimension), got[i]);
                      }
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "cache-contract-worker-" + t);
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a worker failed", failure.get());
    }
    commit(cache);
    List<CacheKey> all = new ArrayList<>(written.keySet());
    float[][] got = cache.getAll(all);
    for (int i = 0; i < got.length; i++) {
      assertNotNull(got[i], "written entry lost: " + all.get(i));
    }
    assertEquals(threads * keysPerThread, cache.stats().entries());
  }

  /**
   * A put is visible to every lookup that starts after it returns, in any thread, even while other
   * threads' lookups and statistics make the cache refresh what it reads; a removal likewise.
   */
  @Test
  public void aPutThatReturnedIsSeenByEveryLaterLookupInAnyThread(Random random) throws Exception {
    int writers = 2;
    int readers = 3;
    int perWriter = 1_500;
    long seed = random.nextLong();
    List<CacheKey> published = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < perWriter && failure.get() == null; i++) {
                    String text = "v" + id + "-" + i;
                    CacheEntry e =
                        entry(
                            FP_A,
                            Role.DOCUMENT,
                            text,
                            FakeEmbedder.vectorOf(text, Role.DOCUMENT, 8));
                    cache.putAll(List.of(e));
                    published.add(e.key()); // after putAll returned
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              }));
    }
    for (int r = 0; r < readers; r++) {
      int id = r;
      threads.add(
          new Thread(
              () -> {
                Random rnd = new Random(seed + id);
                try {
                  while (!done.get() && failure.get() == null) {
                    int n = published.size();
                    if (n == 0) {
                      Thread.onSpinWait();
                      continue;
                    }
                    // The newest key, and a random older one: both returned before this lookup.
                    CacheKey newest = published.get(n - 1);
                    CacheKey older = published.get(rnd.nextInt(n));
                    float[][] got = cache.getAll(List.of(newest, older));
                    assertNotNull(got[0], "a put that returned was missed: " + newest);
                    assertNotNull(got[1], "a put that returned was missed: " + older);
                    if (id == 0 && rnd.nextInt(20) == 0) {
                      cache.stats(); // reads everything: may refresh under the other readers
                    }
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              }));
    }
    threads.forEach(Thread::start);
    for (int w = 0; w < writers; w++) {
      threads.get(w).join();
    }
    done.set(true);
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a lookup missed a put", failure.get());
    }
    CacheKey gone = published.get(0);
    cache.invalidate(List.of(gone));
    assertNull(cache.getAll(List.of(gone))[0], "a removal that returned is seen at once");
    cache.stats();
    assertNull(cache.getAll(List.of(gone))[0], "and stays seen after a refresh");
  }
}
