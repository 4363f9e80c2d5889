package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.LockObtainFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneVectorStoreTest {
  @TempDir Path dir;

  static List<Document> corpus(int n) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      docs.add(
          new Document(
              "doc-" + i,
              "passage number " + i + " about topic " + (i % 7),
              i % 3 == 0 ? "title " + i : null,
              Map.of(
                  "year",
                  2000 + i % 25,
                  "tag",
                  "t" + i % 5,
                  "score",
                  i / 10.0,
                  "even",
                  i % 2 == 0,
                  "tags",
                  List.of("a" + i % 2, "b" + i % 3))));
    }
    return docs;
  }

  /** The embedding-cache tutorial's exercise: index, delete some, re-index all: 0 model calls. */
  @Test
  void reindexingAfterDeletesEmbedsNothingAndVectorsAreBitIdentical() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(1000);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      UpsertResult first = store.upsert(docs);
      assertEquals(1000, first.added());
      assertEquals(1000, first.embedded());
      assertEquals(1000, store.count());
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        gone.add("doc-" + i * 97);
      }
      assertEquals(10, store.delete(gone));
      assertEquals(990, store.count());
      UpsertResult again = store.upsert(docs);
      assertEquals(0, again.embedded());
      assertEquals(10, again.added());
      assertEquals(990, again.unchanged());
      assertEquals(1000, fake.textsEmbedded());

      List<CacheKey> keys = new ArrayList<>();
      for (Document d : docs) {
        keys.add(CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, d.embeddedText()));
      }
      float[][] cached = store.cache().getAll(keys);
      for (int i = 0; i < docs.size(); i++) {
        float[] expected = FakeEmbedder.vectorOf(docs.get(i).embeddedText(), Role.DOCUMENT, 32);
        assertArrayEquals(expected, cached[i], 0f, "doc " + i);
      }
    }
  }

  @Test
  void reopeningClearingAndRebuildingNeedNoModel() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(300);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
    }
    fake.resetCounts();
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(300, store.count());
      assertEquals(0, store.upsert(docs).embedded());
      store.delete(docs.stream().map(Document::id).toList());
      assertEquals(0, store.count());
      assertEquals(300, store.cacheStats().entries(), "entries outlive documents");
      assertEquals(0, store.upsert(docs).embedded());
      List<SearchHit> before =
          store.search(SearchRequest.of("passage", 5).withMode(SearchMode.EXACT));
      assertEquals(0, store.rebuild(store.config().withQuantization(Quantization.INT8)));
      assertEquals(300, store.count());
      List<SearchHit> after =
          store.search(SearchRequest.of("passage", 5).withMode(SearchMode.EXACT));
      assertEquals(
          before.stream().map(SearchHit::id).toList(), after.stream().map(SearchHit::id).toList());
      assertEquals(5, store.search(SearchRequest.of("passage", 5)).size());
    }
    assertEquals(1, fake.textsEmbedded(), "only the query reached the model");
    StoreInfo info = LuceneVectorStore.readInfo(dir);
    assertEquals(Quantization.INT8, info.config().quantization());
    assertEquals(300, info.documents());
    assertEquals("fake", info.modelName());
  }

  @Test
  void anotherModelIsRefusedNamingBothAndMigrationKeepsTheOldEntries() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    FakeEmbedder other = new FakeEmbedder("other", 24);
    List<Document> docs = corpus(100);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
    }
    var e = assertThrows(StoreMismatchException.class, () -> LuceneVectorStore.open(dir, other));
    assertTrue(e.getMessage().contains("fake") && e.getMessage().contains("other"), e.getMessage());
    try (LuceneVectorStore store = LuceneVectorStore.migrate(dir, other)) {
      assertEquals(100, store.count());
      assertEquals(1, store.search(SearchRequest.of("x", 1)).size());
    }
    assertEquals(101, other.textsEmbedded(), "100 chunks and one query");
    fake.resetCounts();
    try (LuceneVectorStore store = LuceneVectorStore.migrate(dir, fake)) {
      assertEquals(100, store.count());
    }
    assertEquals(0, fake.textsEmbedded(), "moving back costs nothing");
  }

  /** Every file's name and bytes, to prove a refused open changed nothing. */
  private static java.util.Map<String, String> snapshot(Path folder) throws IOException {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (var files = java.nio.file.Files.list(folder)) {
      for (Path f : files.toList()) {
        out.put(
            f.getFileName().toString(),
            java.util.HexFormat.of().formatHex(sha256(java.nio.file.Files.readAllBytes(f))));
      }
    }
    return out;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anotherModelOrAFutureFormatIsRefusedAndNothingIsModified() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(corpus(50));
    }
    var before = snapshot(dir);
    assertThrows(
        StoreMismatchException.class,
        () -> LuceneVectorStore.open(dir, new FakeEmbedder("other", 32)));
    assertEquals(before, snapshot(dir));

    // A commit claiming a format from the future, written behind the store's back.
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var w =
            new org.apache.lucene.index.IndexWriter(
                d, new org.apache.lucene.index.IndexWriterConfig())) {
      java.util.Map<String, String> ud = new java.util.HashMap<>();
      w.getLiveCommitData().forEach(e -> ud.put(e.getKey(), e.getValue()));
      ud.put(LuceneVectorStore.UD_FORMAT, Integer.toString(LuceneVectorStore.FORMAT + 1));
      w.setLiveCommitData(ud.entrySet());
      w.commit();
    }
    var future = snapshot(dir);
    IOException e = assertThrows(IOException.class, () -> LuceneVectorStore.open(dir, fake));
    assertTrue(
        e.getMessage().contains("format " + (LuceneVectorStore.FORMAT + 1))
            && e.getMessage().contains("upgrade Embedstore"),
        e.getMessage());
    assertEquals(future, snapshot(dir));
  }

  @Test
  void forceMergeLeavesOneSegmentAndTheSameResults() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      List<Document> docs = corpus(300);
      for (int from = 0; from < docs.size(); from += 50) {
        store.upsert(docs.subList(from, from + 50)); // a commit, and a segment, each
      }
      List<SearchHit> before =
          store.search(SearchRequest.of("topic 3", 10).withMode(SearchMode.EXACT));
      store.forceMerge(1);
      assertEquals(
          before.stream().map(SearchHit::id).toList(),
          store.search(SearchRequest.of("topic 3", 10).withMode(SearchMode.EXACT)).stream()
              .map(SearchHit::id)
              .toList());
      assertEquals(300, store.count());
      assertThrows(IllegalArgumentException.class, () -> store.forceMerge(0));
    }
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var r = org.apache.lucene.index.DirectoryReader.open(d)) {
      assertEquals(1, r.leaves().size());
    }
    assertTrue(StoreCheck.check(dir, false).sound());
  }

  @Test
  void aSecondWriterGetsAnErrorNamingTheStore() throws IOException {
    FakeEmbedder fake = FakeEmbedder.small();
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(0, store.count());
      var e =
          assertThrows(LockObtainFailedException.class, () -> LuceneVectorStore.open(dir, fake));
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("write.lock"), e.getMessage());
    }
  }

  @Test
  void filtersAreAppliedBeforeTheSearch() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(500);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
      check(store, docs, Filter.eq("tag", "t3"), d -> d.metadata().get("tag").equals("t3"));
      check(store, docs, Filter.eq("year", 2010), d -> d.metadata().get("year").equals(2010L));
      check(store, docs, Filter.eq("year", "2010"), d -> d.metadata().get("year").equals(2010L));
      check(store, docs, Filter.eq("even", true), d -> d.metadata().get("even").equals(true));
      check(
          store,
          docs,
          Filter.eq("tags", "b2"),
          d -> ((List<?>) d.metadata().get("tags")).contains("b2"));
      check(
          store,
          docs,
          new Filter.Range("year", 2005, 2007),
          d -> (long) d.metadata().get("year") >= 2005 && (long) d.metadata().get("year") <= 2007);
      check(
          store,
          docs,
          new Filter.Range("score", 10.5, null),
          d -> (double) d.metadata().get("score") >= 10.5);
      check(
          store,
          docs,
          new Filter.AnyOf("tag", Set.of("t1", "t2")),
          d -> Set.of("t1", "t2").contains(d.metadata().get("tag")));
      check(
          store,
          docs,
          new Filter.Not(Filter.eq("tag", "t0")),
          d -> !d.metadata().get("tag").equals("t0"));
      check(
          store,
          docs,
          new Filter.Or(
              List.of(
                  Filter.eq("tag", "t0"),
                  Filter.and(Filter.eq("even", false), Filter.eq("tag", "t1")))),
          d ->
              d.metadata().get("tag").equals("t0")
                  || (d.metadata().get("tag").equals("t1")
                      && d.metadata().get("even").equals(false)));
      Set<String> allowed = Set.of("doc-3", "doc-77", "doc-400", "no-such-doc");
      check(store, docs, new Filter.IdIn(allowed), d -> allowed.contains(d.id()));
      check(store, docs, Filter.eq("missing-field", "x"), d -> false);

      var bad =
          assertThrows(
              IllegalArgumentException.class,
              () -> store.upsert(List.of(new Document("z", "z", null, Map.of("year", "recent")))));
      assertTrue(
          bad.getMessage().contains("year") && bad.getMessage().contains("z"), bad.getMessage());
      assertEquals(500, store.count(), "nothing of the refused batch was written");
    }
  }

  private static void check(
      LuceneVectorStore store,
      List<Document> docs,
      Filter f,
      java.util.function.Predicate<Document> p)
      throws IOException {
    Set<String> expected = new HashSet<>();
    for (Document d : docs) {
      if (p.test(d)) {
        expected.add(d.id());
      }
    }
    for (SearchMode mode : List.of(SearchMode.VECTOR, SearchMode.EXACT)) {
      List<SearchHit> hits = store.search(new SearchRequest("passage", 1000, mode, f, 1));
      Set<String> got = new HashSet<>();
      hits.forEach(h -> got.add(h.id()));
      assertEquals(expected, got, f + " in " + mode);
    }
    assertEquals(expected, new HashSet<>(store.ids(f)), "ids(" + f + ")");
    List<SearchHit> top = store.search(new SearchRequest("passage", 5, SearchMode.VECTOR, f, 4));
    assertEquals(Math.min(5, expected.size()), top.size(), "k hits that match: " + f);
  }

  @Test
  void hnswFindsTheExactNeighbours() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(corpus(2000));
      int found = 0;
      int total = 0;
      for (int q = 0; q < 30; q++) {
        SearchRequest r = SearchRequest.of("query " + q, 10);
        Set<String> exact = new HashSet<>();
        store.search(r.withMode(SearchMode.EXACT)).forEach(h -> exact.add(h.id()));
        for (SearchHit h : store.search(r)) {
          if (exact.contains(h.id())) {
            found++;
          }
        }
        total += 10;
      }
      assertTrue(found >= 0.95 * total, "recall@10 " + found + "/" + total);
    }
  }

  @Test
  void keywordAndHybridSearchFindWords() throws IOException {
    FakeEmbedder fake = FakeEmbedder.small();
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      List<Document> docs = new ArrayList<>(corpus(50));
      docs.add(Document.of("zebra", "The zebra crossed the savanna at dawn."));
      store.upsert(docs);
      List<SearchHit> kw =
          store.search(SearchRequest.of("zebra savanna", 3).withMode(SearchMode.KEYWORD));
      assertEquals("zebra", kw.get(0).id());
      assertEquals(1, kw.size());
      List<SearchHit> hy = store.search(SearchRequest.of("zebra", 10).withMode(SearchMode.HYBRID));
      assertTrue(hy.stream().anyMatch(h -> h.id().equals("zebra")));
      assertEquals(0, store.search(SearchRequest.of("...", 3).withMode(SearchMode.KEYWORD)).size());
    }
  }

  @Test
  void chunkedDocumentsReembedOnlyChangedChunks() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    TextSplitter splitter =
        TextSplitter.of(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length, 12, 0);
    StringBuilder text = new StringBuilder();
    for (int p = 0; p < 10; p++) {
      text.append("Paragraph ").append(p).append(" has exactly seven words.\n\n");
    }
    String original = text.toString();
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      UpsertResult r = store.upsert(List.of(Document.of("file.md", original)), splitter, null);
      assertTrue(r.chunks() >= 5, "chunks " + r.chunks());
      assertEquals(1, store.count());
      assertEquals(original, store.get("file.md").orElseThrow().text());
      long chunks = r.chunks();
      String edited = original.replace("Paragraph 4 has", "Paragraph four has");
      UpsertResult e = store.upsert(List.of(Document.of("file.md", edited)), splitter, null);
      assertEquals(1, e.updated());
      assertEquals(1, e.embedded(), "only the edited chunk");
      assertEquals(chunks - 1, e.cacheHits());
      assertEquals(edited, store.get("file.md").orElseThrow().text());
      assertEquals(
          0, store.upsert(List.of(Document.of("file.md", edited)), splitter, null).embedded());
      assertEquals(1, store.count());
      assertEquals(chunks, store.chunkCount());
    }
  }

  @Test
  void gcRemovesOnlyUnreferencedEntries() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(100);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
      store.delete(List.of("doc-1", "doc-2", "doc-3"));
      assertEquals(100, store.cacheStats().entries());
      assertEquals(3, store.gc());
      assertEquals(97, store.cacheStats().entries());
      assertEquals(0, store.gc());
      fake.resetCounts();
      assertEquals(3, store.upsert(docs).embedded());
    }
  }

  @Test
  void closedStoreAndBadArguments() throws IOException {
    LuceneVectorStore store = LuceneVectorStore.open(dir, FakeEmbedder.small());
    assertThrows(NullPointerException.class, () -> store.upsert(null));
    store.close();
    store.close();
    var e = assertThrows(IllegalStateException.class, () -> store.search(SearchRequest.of("x", 1)));
    assertTrue(e.getMessage().contains("LuceneVectorStore"));
    assertFalse(LuceneVectorStore.readInfo(dir).fingerprint().isEmpty());
  }

  @Test
  void hostileIdsAndMetadataRoundTripAndFilterValuesAreLiteral() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<String> hostile =
        List.of(
            "quote \" and backslash \\",
            "line\nbreak\r\ttab",
            "nul \u0000 byte",
            "emoji \uD83D\uDE00 and CJK \u6F22\u5B57",
            "*:*",
            "id:* OR text:*",
            "(a AND b) || c^2 ~ \"phrase\"",
            "");
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < hostile.size(); i++) {
        String v = hostile.get(i);
        docs.add(
            new Document(
                v.isEmpty() ? "empty-" + i : v,
                "text " + i + " " + v,
                v.isEmpty() ? null : "title " + v,
                Map.of("tag", v, "tags", List.of(v, "x" + v))));
      }
      docs.add(new Document("plain", "plain text", null, Map.of("tag", "plain")));
      store.upsert(docs);
      for (Document d : docs) {
        Document got = store.get(d.id()).orElseThrow(() -> new AssertionError(d.id()));
        assertEquals(d.text(), got.text());
        assertEquals(d.title(), got.title());
        assertEquals(d.metadata(), got.metadata(), d.id());
        // A filter on the value finds exactly this document: no value is read as query syntax.
        for (SearchMode mode : SearchMode.values()) {
          List<SearchHit> hits =
              store.search(
                  SearchRequest.of("text", 20)
                      .withMode(mode)
                      .withFilter(Filter.eq("tag", d.metadata().get("tag"))));
          List<String> ids = hits.stream().map(SearchHit::id).toList();
          if (mode != SearchMode.KEYWORD || !ids.isEmpty()) {
            assertEquals(List.of(d.id()), ids, mode + " " + d.id());
          }
        }
      }
      assertEquals(List.of(), store.ids(Filter.eq("tag", "nothing*")));
    }
  }

  @Test
  void aFailedUpsertCommitsTheBatchesBeforeItAndNothingAfter() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(1000);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      fake.failAfter(600); // inside the third batch of 256
      var e = assertThrows(IllegalStateException.class, () -> store.upsert(docs));
      assertTrue(e.getMessage().contains("simulated failure"), e.getMessage());
      // Committed at the failure, not left for a later commit: the last commit holds them.
      assertEquals(512, LuceneVectorStore.readInfo(dir).documents());
      assertEquals(512, store.count());
      for (int i = 0; i < docs.size(); i++) {
        assertEquals(i < 512, store.get(docs.get(i).id()).isPresent(), docs.get(i).id());
      }
      long cached = store.cacheStats().entries();
      assertTrue(cached >= 512, cached + " entries");

      // Running the same call again resumes: the model sees only what the cache lacks.
      fake.failAfter(Long.MAX_VALUE);
      fake.resetCounts();
      UpsertResult again = store.upsert(docs);
      assertEquals(512, again.unchanged());
      assertEquals(1000 - cached, again.embedded());
      assertEquals(1000 - cached, fake.textsEmbedded());
      assertEquals(1000, store.count());
    }
  }

  @Test
  void aDocumentLuceneCannotIndexIsRefusedBeforeItsBatchIsWritten() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    String huge = "x".repeat(IndexWriter.MAX_TERM_LENGTH + 1);
    List<Document> docs = new ArrayList<>(corpus(100));
    docs.set(50, new Document("doc-50", "text", null, Map.of("note", huge)));
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      var e = assertThrows(IllegalArgumentException.class, () -> store.upsert(docs));
      assertTrue(
          e.getMessage()
              .contains("document doc-50: metadata field note has a value of 32767 bytes"),
          e.getMessage());
      assertEquals(0, store.count());
      assertEquals(0, fake.textsEmbedded());

      docs.set(50, new Document(huge, "text", null, Map.of()));
      e = assertThrows(IllegalArgumentException.class, () -> store.upsert(docs));
      assertTrue(e.getMessage().contains("the id is 32767 bytes"), e.getMessage());
      assertTrue(e.getMessage().length() < 300, "the id is abbreviated: " + e.getMessage());
      // In a list too, and as UTF-8: 10,923 three-byte characters are 32,769 bytes.
      docs.set(
          50,
          new Document(
              "doc-50", "text", null, Map.of("tags", List.of("a", "\u6F22".repeat(10923)))));
      assertThrows(IllegalArgumentException.class, () -> store.upsert(docs));
      assertEquals(0, store.count());

      // A type clash in the second batch: the first batch is committed, nothing of the second.
      List<Document> clash = new ArrayList<>(corpus(300));
      clash.set(280, new Document("doc-280", "text", null, Map.of("year", "not a number")));
      e = assertThrows(IllegalArgumentException.class, () -> store.upsert(clash));
      assertTrue(e.getMessage().contains("metadata field year"), e.getMessage());
      assertEquals(256, LuceneVectorStore.readInfo(dir).documents());
    }
  }

  @Test
  void anIdRepeatedInALaterBatchOfOneCallIsComparedWithWhatTheCallWrote() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      List<Document> docs = new ArrayList<>(corpus(600));
      docs.set(10, Document.of("dup", "first version"));
      docs.set(300, Document.of("dup", "first version")); // same content, second batch
      docs.set(550, Document.of("dup", "second version")); // changed, third batch
      UpsertResult r = store.upsert(docs);
      assertEquals(598, r.added(), r.toString());
      assertEquals(1, r.unchanged(), r.toString());
      assertEquals(1, r.updated(), r.toString());
      assertEquals(598, store.count());
      assertEquals("second version", store.get("dup").orElseThrow().text());
      assertEquals(1, fake.timesEmbedded("first version", Role.DOCUMENT));
    }
  }
}
