package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by Lucene 9.12 (the fixture made by the compat-lucene9 module's {@code
 * WriteLucene9Store}: 40 documents in two segments, d7 deleted) opens with lucene-backward-codecs,
 * searches, reuses its cached vectors, and is upgraded in place to the current codec.
 */
class Lucene9CompatibilityTest {
  private static final FakeEmbedder MODEL = new FakeEmbedder("lucene9-fixture", 16);

  @TempDir Path tmp;

  private Path unzipFixture() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("store"));
    try (InputStream in = getClass().getResourceAsStream("lucene-9.12-store.zip");
        ZipInputStream z = new ZipInputStream(in)) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        Files.copy(z, folder.resolve(e.getName()));
      }
    }
    return folder;
  }

  private static String text(int i) {
    return "fixture document "
        + i
        + " about "
        + List.of("tides", "bread", "glaciers", "chess", "comets").get(i % 5);
  }

  @Test
  void aLucene912StoreOpensSearchesAndIsUpgradedInPlace() throws IOException {
    Path folder = unzipFixture();
    StoreInfo before = LuceneVectorStore.readInfo(folder);
    assertTrue(
        before.details().get("lucene_version").toString().startsWith("9.12."),
        before.details().get("lucene_version").toString());
    assertEquals(39, before.documents());
    assertEquals(40, before.cacheEntries());
    assertTrue(StoreCheck.check(folder, true).sound(), "the 9.12 store checks sound");

    MODEL.resetCounts();
    try (LuceneVectorStore store = LuceneVectorStore.open(folder, MODEL)) {
      assertSearches(store);
      assertTrue(
          store.info().details().get("lucene_version").toString().startsWith("9.12."),
          "a live store reports its oldest segment's version too");
      // Every cached vector is the model's, bit for bit.
      List<CacheKey> keys = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        keys.add(CacheKey.of(MODEL.fingerprint(), "", Role.DOCUMENT, text(i)));
      }
      float[][] cached = store.cache().getAll(keys);
      for (int i = 0; i < 40; i++) {
        assertArrayEquals(FakeEmbedder.vectorOf(text(i), Role.DOCUMENT, 16), cached[i], "d" + i);
      }
    }

    LuceneVectorStore.upgrade(folder);
    StoreInfo after = LuceneVectorStore.readInfo(folder);
    assertTrue(
        after.details().get("lucene_version").toString().startsWith("10."),
        after.details().get("lucene_version").toString());
    assertEquals(39, after.documents());
    assertTrue(StoreCheck.check(folder, true).sound());
    try (LuceneVectorStore store = LuceneVectorStore.open(folder, MODEL)) {
      assertSearches(store);
      // Re-adding the deleted document and the rest costs no model call: the cache survived.
      List<Document> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(
            new Document(
                "d" + i,
                text(i),
                null,
                Map.of(
                    "year",
                    2000L + i,
                    "tag",
                    List.of("tides", "bread", "glaciers", "chess", "comets").get(i % 5))));
      }
      assertEquals(0, store.upsert(all).embedded());
      assertEquals(40, store.count());
      assertEquals(0, store.rebuild(store.config().withQuantization(Quantization.INT8)));
    }
    for (int i = 0; i < 40; i++) {
      assertEquals(0, MODEL.timesEmbedded(text(i), Role.DOCUMENT), "only queries reach the model");
    }
  }

  private static void assertSearches(LuceneVectorStore store) throws IOException {
    assertEquals(39, store.count());
    assertTrue(store.get("d7").isEmpty());
    // ids() reads ids from doc values, which 9.12 segments lack: it falls back to stored fields.
    List<String> all;
    try (var s = store.ids(null)) {
      all = s.toList();
    }
    assertEquals(39, new HashSet<>(all).size());
    assertFalse(all.contains("d7"));
    try (var s = store.ids(Filter.eq("year", 2003))) {
      assertEquals(List.of("d3"), s.toList());
    }

    assertEquals(text(3), store.get("d3").orElseThrow().text());
    assertEquals(2003L, store.get("d3").orElseThrow().metadata().get("year"));
    // The fake model's vectors carry no meaning: HNSW must agree with exact search; BM25 finds the
    // document by its words.
    List<String> exact =
        ids(store.search(SearchRequest.of(text(12), 3).withMode(SearchMode.EXACT)));
    assertEquals(exact, ids(store.search(SearchRequest.of(text(12), 3))));
    assertEquals(3, store.search(SearchRequest.of(text(12), 3).withMode(SearchMode.HYBRID)).size());
    assertEquals(
        "d12",
        store.search(SearchRequest.of(text(12), 3).withMode(SearchMode.KEYWORD)).get(0).id());
    List<SearchHit> filtered =
        store.search(
            SearchRequest.of("glaciers", 10)
                .withFilter(
                    Filter.and(
                        Filter.eq("tag", "glaciers"), new Filter.Range("year", 2010L, null))));
    assertEquals(
        List.of("d12", "d17", "d22", "d27", "d32", "d37"),
        filtered.stream().map(SearchHit::id).sorted().toList());
  }

  private static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(SearchHit::id).toList();
  }
}
