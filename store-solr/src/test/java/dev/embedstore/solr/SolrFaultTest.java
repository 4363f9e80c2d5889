package dev.embedstore.solr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Role;
import dev.embedstore.solr.testing.SolrTestCluster;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults of a real cluster, with collections of 2 shards × 2 replicas on 2 nodes (each node holds
 * one replica of each shard): a node stopped while searches run, a node stopped during ingestion,
 * and the whole cluster restarted from its folder, cleanly and after SIGKILL.
 */
@ExtendWith(Seeded.class)
class SolrFaultTest {
  private static SolrTestCluster cluster;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = SolrTestCluster.start(SolrTestCluster.freshFolder("SolrFaultTest"));
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static SolrStoreConfig config(String collection, int commitInterval) {
    return SolrStoreConfig.builder(cluster.urls(), collection)
        .shards(2)
        .replicationFactor(2)
        .commitInterval(commitInterval)
        .build();
  }

  private static List<Document> corpus(Random random, int n) {
    List<Document> docs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      docs.add(
          new Document(
              "doc-" + i,
              "passage " + i + " on topic " + (i % 11) + " w" + random.nextInt(1000),
              null,
              FilterOracle.metadata(random, i)));
    }
    return docs;
  }

  @Test
  void searchesKeepAnsweringWithEveryCommittedDocumentWhileANodeStops(Random random)
      throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(random, 400);
    Set<String> all = new HashSet<>();
    Set<String> even = new HashSet<>();
    for (Document d : docs) {
      all.add(d.id());
      if (Boolean.TRUE.equals(d.metadata().get("even"))) {
        even.add(d.id());
      }
    }
    try (SolrVectorStore store = SolrVectorStore.open(config("searches", 1024), fake)) {
      store.upsert(docs);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger afterStop = new AtomicInteger();
      AtomicBoolean stopped = new AtomicBoolean();
      ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> searchers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  int q = 0;
                  while (!stop.get()) {
                    try {
                      boolean filtered = q % 2 == id;
                      SearchRequest r =
                          new SearchRequest(
                              "query " + (q++ % 20),
                              400,
                              q % 3 == 0 ? SearchMode.KEYWORD : SearchMode.VECTOR,
                              filtered ? Filter.eq("even", true) : null,
                              1);
                      if (r.mode() == SearchMode.KEYWORD) {
                        r = new SearchRequest("passage", 400, SearchMode.KEYWORD, r.filter(), 1);
                      }
                      Set<String> got = new HashSet<>();
                      for (SearchHit h : store.search(r)) {
                        got.add(h.id());
                      }
                      Set<String> expected = filtered ? even : all;
                      if (!got.equals(expected)) {
                        wrong.add(r + ": " + got.size() + " of " + expected.size() + " documents");
                      }
                      if (store.count() != all.size()) {
                        wrong.add("count " + store.count());
                      }
                      if (stopped.get()) {
                        afterStop.incrementAndGet();
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                },
                "fault-searcher-" + t);
        th.start();
        searchers.add(th);
      }
      try {
        cluster.stopNode(2);
        stopped.set(true);
        while (afterStop.get() < 60 && failures.size() + wrong.size() < 5) {
          Thread.sleep(50);
        }
      } finally {
        stop.set(true);
        for (Thread th : searchers) {
          th.join();
        }
        cluster.startNode(2);
      }
      assertTrue(failures.isEmpty(), () -> failures.size() + " searches failed: " + failures);
      assertTrue(wrong.isEmpty(), () -> "searches missed committed documents: " + wrong);
      assertTrue(afterStop.get() >= 60, "searches answered with the node down: " + afterStop);
    }
  }

  @Test
  void
      aNodeStoppedDuringIngestionEitherLetsItFinishOrFailsNamingTheClusterAndARerunEmbedsOnlyWhatTheCacheLacks(
          Random random) throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(random, 3000);
    String collection = "ingest";
    boolean failed = false;
    try (SolrVectorStore store = SolrVectorStore.open(config(collection, 300), fake)) {
      AtomicInteger batches = new AtomicInteger();
      try {
        UpsertResult r =
            store.upsert(
                docs,
                null,
                (documents, embedded, hits) -> {
                  if (batches.incrementAndGet() == 3) {
                    try {
                      cluster.stopNode(1);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }
                });
        assertEquals(3000, r.added(), r.toString());
        System.err.println("[SolrFaultTest] the ingestion finished with a node stopped: " + r);
      } catch (IOException e) {
        failed = true;
        System.err.println("[SolrFaultTest] the ingestion failed as allowed: " + e.getMessage());
        assertTrue(
            e.getMessage().contains("Solr collection " + collection + " at http://127.0.0.1:"),
            "the error names the cluster: " + e.getMessage());
      }
      assertTrue(batches.get() >= 3, "the node was stopped mid-ingestion");

      // What the cluster's cache has now decides what a re-run may embed.
      List<CacheKey> keys = new ArrayList<>();
      for (Document d : docs) {
        keys.add(CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, d.embeddedText()));
      }
      long lacking = 0;
      for (float[] v : store.cache().getAll(keys)) {
        lacking += v == null ? 1 : 0;
      }
      assertTrue(failed || lacking == 0, "a finished ingestion cached every vector: " + lacking);
      fake.resetCounts();
      UpsertResult again = store.upsert(docs);
      System.err.println(
          "[SolrFaultTest] the cluster's cache lacked " + lacking + " vectors; re-run: " + again);
      assertEquals(lacking, again.embedded(), "re-run embeds what the cache lacked: " + again);
      assertEquals(lacking, fake.textsEmbedded());
      assertEquals(3000, store.count());
      assertEquals(3000, again.unchanged() + again.added() + again.updated());
    } finally {
      cluster.startNode(1);
    }
    // With every node back, nothing is missing and nothing needs the model.
    fake.resetCounts();
    try (SolrVectorStore store = SolrVectorStore.open(config(collection, 300), fake)) {
      assertEquals(3000, store.count());
      assertEquals(3000, store.upsert(docs).unchanged());
      assertEquals(0, fake.textsEmbedded());
      for (int i = 0; i < docs.size(); i += 97) {
        assertStored(docs.get(i), store, "after the node came back");
      }
    }
  }

  @Test
  void anIngestionThatLosesEveryNodeFailsNamingTheClusterAndItsRerunEmbedsOnlyWhatTheCacheLacks(
      Random random) throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(random, 2000);
    String collection = "lost";
    SolrVectorStore store = SolrVectorStore.open(config(collection, 300), fake);
    AtomicInteger batches = new AtomicInteger();
    IOException e;
    try {
      e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IOException.class,
              () ->
                  store.upsert(
                      docs,
                      null,
                      (documents, embedded, hits) -> {
                        try {
                          switch (batches.incrementAndGet()) {
                            case 2 -> cluster.stopNode(1);
                            case 4 -> cluster.stopNode(2);
                            default -> {}
                          }
                        } catch (IOException x) {
                          throw new java.io.UncheckedIOException(x);
                        }
                      }));
    } finally {
      // The node that went down last first: it has every write. Were node 1 (which missed the
      // writes after it stopped) first, Solr would make its stale replicas leaders after
      // leaderVoteWait ("Potential data loss" in its log), and node 2 would then sync to them.
      if (batches.get() >= 4) {
        cluster.startNode(2);
      }
      if (batches.get() >= 2) {
        cluster.startNode(1);
      }
    }
    System.err.println("[SolrFaultTest] with every node down the ingestion failed: " + e);
    assertTrue(
        e.getMessage().contains("Solr collection " + collection + " at http://127.0.0.1:"),
        "the error names the cluster: " + e.getMessage());
    try {
      store.close();
    } catch (IOException ignored) {
      // Its final commit may have failed with the cluster down; that is the point of the test.
    }

    fake.resetCounts();
    try (SolrVectorStore again = SolrVectorStore.open(config(collection, 300), fake)) {
      List<CacheKey> keys = new ArrayList<>();
      for (Document d : docs) {
        keys.add(CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, d.embeddedText()));
      }
      long lacking = 0;
      for (float[] v : again.cache().getAll(keys)) {
        lacking += v == null ? 1 : 0;
      }
      // The call fails once node 2 goes too, or already when a write still went to node 1 as it
      // left; either way every batch committed before the failure keeps its vectors.
      long kept = docs.size() - lacking;
      assertTrue(
          kept % 256 == 0 && kept >= 2 * 256 && kept <= 4 * 256,
          "whole batches before the failure are kept: " + kept);
      UpsertResult r = again.upsert(docs);
      System.err.println(
          "[SolrFaultTest] the cluster's cache lacked " + lacking + " vectors; re-run: " + r);
      assertEquals(lacking, r.embedded(), r.toString());
      assertEquals(lacking, fake.textsEmbedded());
      assertEquals(docs.size(), again.count());
      for (int i = 0; i < docs.size(); i += 53) {
        assertStored(docs.get(i), again, "after the re-run");
      }
    }
  }

  @Test
  void theWholeClusterRestartedFromItsFolderLosesNothingCommittedAndReindexesWithoutTheModel(
      Random random) throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(random, 1000);
    List<String> before;
    try (SolrVectorStore store = SolrVectorStore.open(config("restart", 1024), fake)) {
      store.upsert(docs);
      before = ids(store.search(SearchRequest.of("query 7", 10)));
    }

    // A clean restart of every node and ZooKeeper, then a crash (SIGKILL) and a new process.
    long t0 = System.nanoTime();
    cluster.restart();
    long t1 = System.nanoTime();
    checkEverythingCommittedIsThere(fake, docs, before, "clean restart");
    long t2 = System.nanoTime();
    cluster.kill();
    cluster = SolrTestCluster.start(cluster.folder());
    long t3 = System.nanoTime();
    checkEverythingCommittedIsThere(fake, docs, before, "restart after SIGKILL");
    System.err.printf(
        java.util.Locale.ROOT,
        "[SolrFaultTest] clean restart %.1f s, checks %.1f s, SIGKILL and start %.1f s, checks %.1f s%n",
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9,
        (t3 - t2) / 1e9,
        (System.nanoTime() - t3) / 1e9);
  }

  private static void checkEverythingCommittedIsThere(
      FakeEmbedder fake, List<Document> docs, List<String> before, String what) throws IOException {
    fake.resetCounts();
    try (SolrVectorStore store = SolrVectorStore.open(config("restart", 1024), fake)) {
      assertEquals(docs.size(), store.count(), what);
      for (int i = 0; i < docs.size(); i += 37) {
        assertStored(docs.get(i), store, what);
      }
      assertEquals(before, ids(store.search(SearchRequest.of("query 7", 10))), what);
      assertEquals(docs.size(), store.upsert(docs).unchanged(), what);
      assertEquals(docs.size(), store.deleteAll(), what);
      UpsertResult reindex = store.upsert(docs);
      assertEquals(docs.size(), reindex.added(), what);
      assertEquals(0, reindex.embedded(), what + ": re-indexing needs no model call");
      assertEquals(1, fake.textsEmbedded(), what + ": only the query reached the model");
    }
  }

  private static void assertStored(Document d, SolrVectorStore store, String what)
      throws IOException {
    Document got = store.get(d.id()).orElseThrow(() -> new AssertionError(what + ": " + d.id()));
    assertEquals(d.text(), got.text(), what);
    assertEquals(d.title(), got.title(), what);
    assertEquals(d.metadata(), got.metadata(), what);
    assertArrayEquals(
        FakeEmbedder.vectorOf(d.embeddedText(), Role.DOCUMENT, 16), got.vector(), 0f, what);
  }

  private static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(SearchHit::id).toList();
  }
}
