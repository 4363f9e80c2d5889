package dev.embedstore.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.server.ServerFixture.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded load on loopback: {@value #SEARCHERS} clients each send {@value #SEARCHES_PER_CLIENT}
 * searches while one writer adds {@value #WRITES} batches of documents. Every request must succeed
 * and every document written must be found afterwards. The latencies are printed (and written to
 * {@code target/serve-load.txt}) for the benchmark report; nothing asserts on time.
 */
class ServerLoadTest {
  static final int SEARCHERS = 32;
  static final int SEARCHES_PER_CLIENT = 25;
  static final int WRITES = 20;
  static final int DOCS_PER_WRITE = 5;

  static final String[] QUERIES = {
    "how do I make coffee",
    "tea oxidation",
    "memory safety in systems languages",
    "growing vegetables in summer",
    "espresso machine pressure",
    "fermented leaves",
    "compile time checks",
    "soil drainage",
    "bread baking starter",
    "garden pruning",
    "hot water extraction",
    "ownership and borrowing"
  };

  @TempDir Path tmp;

  @Test
  void searchersAndAWriterAllSucceedAndEveryWriteIsFound() throws Exception {
    ServerFixture f = new ServerFixture(tmp.resolve("store"));
    List<String> written = new ArrayList<>();
    try (EmbedstoreServer server = EmbedstoreServer.builder(f.store).port(0).build().start();
        ExecutorService pool =
            Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("load-", 0).factory())) {
      ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
      long[][] latencies = new long[SEARCHERS][SEARCHES_PER_CLIENT];
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < SEARCHERS; c++) {
        int client = c;
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < SEARCHES_PER_CLIENT; i++) {
                    String q = QUERIES[(client + i) % QUERIES.length].replace(' ', '+');
                    String mode = i % 3 == 0 ? "vector" : i % 3 == 1 ? "keyword" : "hybrid";
                    long t0 = System.nanoTime();
                    Reply r =
                        ServerFixture.call(
                            f.http,
                            server,
                            "GET",
                            "/api/search?k=5&mode=" + mode + "&q=" + q,
                            null);
                    latencies[client][i] = System.nanoTime() - t0;
                    if (r.status() != 200 || !r.body().startsWith("{\"hits\":[")) {
                      errors.add(r.status() + " " + r.body());
                    }
                  }
                  return null;
                }));
      }
      futures.add(
          pool.submit(
              () -> {
                go.await();
                for (int w = 0; w < WRITES; w++) {
                  StringBuilder body = new StringBuilder("[");
                  for (int d = 0; d < DOCS_PER_WRITE; d++) {
                    String id = "load-" + w + "-" + d;
                    synchronized (written) {
                      written.add(id);
                    }
                    body.append(d == 0 ? "" : ",")
                        .append("{\"id\":\"")
                        .append(id)
                        .append("\",\"text\":\"Load note ")
                        .append(id)
                        .append(" about marker")
                        .append(w)
                        .append("x")
                        .append(d)
                        .append(" and coffee.\",\"metadata\":{\"batch\":")
                        .append(w)
                        .append("}}");
                  }
                  Reply r =
                      ServerFixture.call(
                          f.http, server, "POST", "/api/documents", body.append("]").toString());
                  if (r.status() != 200 || !r.body().contains("\"added\":" + DOCS_PER_WRITE)) {
                    errors.add(r.status() + " " + r.body());
                  }
                }
                return null;
              }));
      long t0 = System.nanoTime();
      go.countDown();
      for (Future<?> fu : futures) {
        fu.get(10, TimeUnit.MINUTES);
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      assertTrue(errors.isEmpty(), errors.size() + " errors, first: " + errors.peek());

      for (String id : written) {
        assertEquals(
            200,
            ServerFixture.call(f.http, server, "GET", "/api/documents/" + id, null).status(),
            id);
        String marker = id.substring("load-".length()).replace('-', 'x');
        Reply found =
            ServerFixture.call(
                f.http, server, "GET", "/api/search?mode=keyword&k=1&q=marker" + marker, null);
        assertTrue(found.body().startsWith("{\"hits\":[{\"id\":\"" + id + "\""), found.body());
      }
      assertEquals(ServerFixture.DOCUMENTS.size() + WRITES * DOCS_PER_WRITE, f.store.count());

      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      String report =
          String.format(
              Locale.ROOT,
              "serve load: %d searchers x %d searches + 1 writer x %d batches of %d, loopback:"
                  + " p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f searches/s (%.1f s wall), 0 errors%n",
              SEARCHERS,
              SEARCHES_PER_CLIENT,
              WRITES,
              DOCS_PER_WRITE,
              all[all.length / 2] / 1e6,
              all[(int) Math.ceil(all.length * 0.99) - 1] / 1e6,
              all[all.length - 1] / 1e6,
              all.length / wall,
              wall);
      System.out.print(report);
      Path out = Path.of("target", "serve-load.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report, StandardCharsets.UTF_8);
    } finally {
      f.close();
    }
  }
}
