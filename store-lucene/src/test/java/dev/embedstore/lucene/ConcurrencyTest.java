package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several searching threads and one writer under sustained load; and {@code close()} while searches
 * run. {@code -Dembedstore.slow=true} runs the soak for a minute instead of a few seconds.
 */
@ExtendWith(Seeded.class)
class ConcurrencyTest {
  private static final long SOAK_NANOS =
      Boolean.getBoolean("embedstore.slow") ? 60_000_000_000L : 3_000_000_000L;

  @TempDir Path tmp;

  private static Document doc(int i) {
    return new Document(
        "w" + i, "written " + i + " about subject " + i % 13, null, Map.of("i", (long) i));
  }

  @Test
  void searchersAndAWriterUnderLoad(Random random) throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Integer> committed = new CopyOnWriteArrayList<>();
    AtomicLong searches = new AtomicLong();
    try (LuceneVectorStore store = LuceneVectorStore.open(tmp.resolve("s"), fake)) {
      AtomicBoolean stop = new AtomicBoolean();
      long seed = random.nextLong();
      Thread writer =
          Thread.ofPlatform()
              .name("writer")
              .start(
                  () -> {
                    Random r = new Random(seed);
                    int next = 0;
                    try {
                      while (!stop.get()) {
                        List<Document> batch = new ArrayList<>();
                        int n = 1 + r.nextInt(50);
                        for (int i = 0; i < n; i++) {
                          batch.add(doc(next + i));
                        }
                        store.upsert(batch);
                        for (int i = 0; i < n; i++) {
                          committed.add(next + i);
                        }
                        next += n;
                        if (r.nextInt(10) == 0) {
                          // Deletes of documents the searchers do not check (odd ids above 1e9).
                          store.delete(List.of("never-" + r.nextInt()));
                        }
                      }
                    } catch (Throwable t) {
                      errors.add(t);
                    }
                  });
      List<Thread> searchers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        long tseed = random.nextLong();
        searchers.add(
            Thread.ofPlatform()
                .name("searcher-" + t)
                .start(
                    () -> {
                      Random r = new Random(tseed);
                      try {
                        while (!stop.get()) {
                          int size = committed.size();
                          if (size == 0) {
                            Thread.onSpinWait();
                            continue;
                          }
                          int i = committed.get(r.nextInt(size));
                          String id = "w" + i;
                          assertTrue(store.get(id).isPresent(), id + " was committed");
                          List<SearchHit> byId =
                              store.search(
                                  SearchRequest.of(doc(i).text(), 3)
                                      .withMode(
                                          SearchMode.values()[
                                              r.nextInt(SearchMode.values().length)])
                                      .withFilter(Filter.eq("i", (long) i)));
                          assertEquals(1, byId.size(), id + " is findable by its filter");
                          assertEquals(id, byId.get(0).id());
                          long count = store.count();
                          assertTrue(count >= size, count + " < " + size);
                          searches.incrementAndGet();
                        }
                      } catch (Throwable e) {
                        errors.add(e);
                      }
                    }));
      }
      long until = System.nanoTime() + SOAK_NANOS;
      while (System.nanoTime() < until && errors.isEmpty()) {
        Thread.sleep(50);
      }
      stop.set(true);
      writer.join();
      for (Thread t : searchers) {
        t.join();
      }
      if (!errors.isEmpty()) {
        throw new AssertionError(errors.size() + " errors; first:", errors.get(0));
      }
      assertEquals(committed.size(), store.count());
      assertTrue(searches.get() > 100, "only " + searches.get() + " searches ran");
    }
  }

  @Test
  void closingWhileSearchesRunIsSafe(Random random) throws Exception {
    for (int trial = 0; trial < 5; trial++) {
      FakeEmbedder fake = new FakeEmbedder("fake", 16);
      LuceneVectorStore store = LuceneVectorStore.open(tmp.resolve("c" + trial), fake);
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        docs.add(doc(i));
      }
      store.upsert(docs);
      List<Throwable> unexpected = new CopyOnWriteArrayList<>();
      AtomicLong refused = new AtomicLong();
      CountDownLatch running = new CountDownLatch(4);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long tseed = random.nextLong();
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      Random r = new Random(tseed);
                      running.countDown();
                      while (true) {
                        try {
                          store.search(SearchRequest.of("subject " + r.nextInt(13), 5));
                          store.get("w" + r.nextInt(300));
                        } catch (IllegalStateException e) {
                          if (e.getMessage().contains("is closed")) {
                            refused.incrementAndGet();
                            return;
                          }
                          unexpected.add(e);
                          return;
                        } catch (Throwable e) {
                          unexpected.add(e);
                          return;
                        }
                      }
                    }));
      }
      running.await();
      Thread.sleep(random.nextInt(200));
      store.close();
      store.close(); // idempotent
      for (Thread t : threads) {
        t.join();
      }
      if (!unexpected.isEmpty()) {
        throw new AssertionError("a search failed other than 'is closed'", unexpected.get(0));
      }
      assertEquals(4, refused.get());
    }
  }
}
