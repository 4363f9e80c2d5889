package dev.embedstore.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.ExternalModel;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract of {@link VectorStore}: every backend's test extends this class and implements
 * {@link #openStore(String, Embedder)}. Each test opens its own stores; randomized tests print
 * their seed on failure.
 *
 * <p>One class of about 700 lines on purpose: a backend proves the contract by extending one class,
 * as Lucene's {@code BaseKnnVectorsFormatTestCase} does.
 */
@ExtendWith(Seeded.class)
public abstract class BaseVectorStoreTestCase {
  private final List<VectorStore> opened = new ArrayList<>();

  /** Subclasses are instantiated by JUnit. */
  protected BaseVectorStoreTestCase() {}

  /**
   * Opens (creating when new) the store with a name. Within one test, the same name is the same
   * store, so a test can close a store and open it again; each test starts with no stores.
   *
   * @param name the store's name, unique within the test
   * @param model the model
   * @return the open store
   * @throws IOException if it cannot be opened
   */
  protected abstract VectorStore openStore(String name, Embedder model) throws IOException;

  /**
   * Whether the backend serves a mode; the default asks the store.
   *
   * @param store the store
   * @param mode the mode
   * @return whether to test it
   */
  protected boolean supports(VectorStore store, SearchMode mode) {
    return store.searchModes().contains(mode);
  }

  /**
   * Opens a store and closes it after the test.
   *
   * @param name the name
   * @param model the model
   * @return the store
   * @throws IOException if it cannot be opened
   */
  protected final VectorStore open(String name, Embedder model) throws IOException {
    VectorStore s = openStore(name, model);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() throws IOException {
    for (VectorStore s : opened) {
      s.close();
    }
  }

  /**
   * A corpus of {@code n} documents with every metadata type; every text has the word "passage".
   *
   * @param random the source of randomness
   * @param n how many
   * @return the documents
   */
  protected static List<Document> corpus(Random random, int n) {
    List<Document> docs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      docs.add(
          new Document(
              "doc-" + i,
              "passage number " + i + " about topic " + (i % 7) + " word" + random.nextInt(50),
              i % 3 == 0 ? "title " + i : null,
              FilterOracle.metadata(random, i)));
    }
    return docs;
  }

  private static Set<String> idsOf(List<SearchHit> hits) {
    Set<String> out = new HashSet<>();
    for (SearchHit h : hits) {
      assertTrue(out.add(h.id()), "each document once: " + h.id());
    }
    return out;
  }

  private static Set<String> ids(VectorStore store, Filter f) throws IOException {
    try (Stream<String> s = store.ids(f)) {
      return s.collect(Collectors.toSet());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing and counting

  @Test
  public void upsertCountsAddedUpdatedAndUnchangedAndEmbedsEachTextOnce(Random random)
      throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    List<Document> docs = corpus(random, 300);
    UpsertResult first = store.upsert(docs);
    assertEquals(300, first.documents());
    assertEquals(300, first.added());
    assertEquals(0, first.updated() + first.unchanged());
    assertEquals(300, first.chunks());
    assertEquals(300, first.embedded());
    assertEquals(300, store.count());

    UpsertResult again = store.upsert(docs);
    assertEquals(300, again.unchanged());
    assertEquals(0, again.added() + again.updated() + again.embedded() + again.chunks());

    List<Document> edited = new ArrayList<>(docs);
    edited.set(1, new Document("doc-1", docs.get(1).text() + " more", null, Map.of()));
    edited.set(2, new Document("doc-2", docs.get(2).text(), "a new title", Map.of()));
    edited.set(3, new Document("doc-3", docs.get(3).text(), "title 3", Map.of("tag", "t9")));
    edited.add(new Document("doc-1", docs.get(1).text() + " more", null, Map.of())); // repeat
    UpsertResult third = store.upsert(edited);
    assertEquals(301, third.documents());
    assertEquals(3, third.updated());
    assertEquals(298, third.unchanged(), "297 unchanged and one repeated id");
    assertEquals(0, third.added());
    assertEquals(3, third.cacheHits() + third.embedded());
    assertEquals(2, third.embedded(), "doc-3's text and title are unchanged: a cache hit");
    assertEquals(302, fake.textsEmbedded());
    assertEquals(300, store.count());
    assertEquals("a new title", store.get("doc-2").orElseThrow().title());
    assertEquals(Map.of("tag", "t9"), store.get("doc-3").orElseThrow().metadata());
  }

  /** {@code truncated} counts the texts the model cut, and only when it embedded them. */
  @Test
  public void upsertCountsTheTextsTheModelTruncated() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    fake.truncateAbove(20);
    VectorStore store = open("s", fake);
    List<Document> docs =
        List.of(
            new Document("short", "a short text", null, Map.of()),
            new Document("long-1", "a text longer than twenty characters", null, Map.of()),
            new Document("long-2", "another text longer than the limit", null, Map.of()));
    UpsertResult first = store.upsert(docs);
    assertEquals(3, first.embedded(), first.toString());
    assertEquals(2, first.truncated(), first.toString());
    store.delete(List.of("long-1"));
    UpsertResult again = store.upsert(docs);
    assertEquals(1, again.added(), again.toString());
    assertEquals(0, again.embedded(), "long-1's vector comes from the cache");
    assertEquals(0, again.truncated(), "nothing was embedded, so nothing was cut");
  }

  /** Changes that an ambiguous content hash would miss are updates (and their vectors differ). */
  @Test
  public void everyRealChangeIsAnUpdate() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> before =
        List.of(
            new Document("list", "t", null, Map.of("tags", List.of("a, b"))),
            new Document("surrogate", "x\uD800y", null, Map.of()),
            new Document("title", "text", "", Map.of()),
            new Document("split", "a b", null, Map.of("n", "1")),
            new Document("meta", "m", null, Map.of("k1", "v")));
    List<Document> after =
        List.of(
            new Document("list", "t", null, Map.of("tags", List.of("a", "b"))),
            new Document("surrogate", "x\uDC00y", null, Map.of()),
            new Document("title", "text", null, Map.of()),
            new Document("split", "a b", null, Map.of("n", "1", "m", "")),
            new Document("meta", "m", null, Map.of("k", "1v")));
    store.upsert(before);
    UpsertResult r = store.upsert(after);
    assertEquals(5, r.updated(), r.toString());
    for (Document d : after) {
      Document got = store.get(d.id()).orElseThrow();
      // A lone surrogate is not Unicode: a backend may store it as U+FFFD.
      assertEquals(
          d.text().replaceAll("[\\uD800-\\uDFFF]", "\uFFFD"),
          got.text().replaceAll("[\\uD800-\\uDFFF]", "\uFFFD"),
          d.id());
      assertEquals(d.metadata(), got.metadata(), d.id());
    }
    assertEquals(0, store.upsert(after).updated(), "and then unchanged");
  }

  @Test
  public void chunkedDocumentsReembedOnlyTheirChangedChunks() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    TextSplitter splitter =
        TextSplitter.of(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length, 12, 0);
    StringBuilder text = new StringBuilder();
    for (int p = 0; p < 10; p++) {
      text.append("Paragraph ").append(p).append(" has exactly seven words.\n\n");
    }
    String original = text.toString();
    UpsertResult r = store.upsert(List.of(Document.of("file.md", original)), splitter, null);
    assertTrue(r.chunks() >= 5, "chunks " + r.chunks());
    assertEquals(1, store.count());
    assertEquals(original, store.get("file.md").orElseThrow().text());
    String edited = original.replace("Paragraph 4 has", "Paragraph four has");
    UpsertResult e = store.upsert(List.of(Document.of("file.md", edited)), splitter, null);
    assertEquals(1, e.updated());
    assertEquals(1, e.embedded(), "only the edited chunk");
    assertEquals(r.chunks() - 1, e.cacheHits());
    assertEquals(edited, store.get("file.md").orElseThrow().text());
    assertEquals(
        0, store.upsert(List.of(Document.of("file.md", edited)), splitter, null).embedded());
    assertEquals(
        1,
        store.upsert(List.of(Document.of("file.md", edited)), null, null).updated(),
        "the same text without the splitter is another chunking: an update");
    assertEquals(1, store.count());
  }

  @Test
  public void aFailedBatchLeavesTheBatchesBeforeItCommittedAndNothingOfItself(Random random)
      throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    List<Document> docs = corpus(random, 1000);
    fake.failAfter(600); // inside the third batch of 256
    RuntimeException e = assertThrows(RuntimeException.class, () -> store.upsert(docs));
    assertTrue(e.getMessage().contains("simulated failure"), e.getMessage());
    assertEquals(512, store.count());
    for (int i = 0; i < docs.size(); i++) {
      assertEquals(i < 512, store.get(docs.get(i).id()).isPresent(), docs.get(i).id());
    }
    store.close();

    // Reopened, the two batches are there (they were committed), and re-running resumes.
    VectorStore again = open("s", fake);
    assertEquals(512, again.count());
    fake.failAfter(Long.MAX_VALUE);
    fake.resetCounts();
    UpsertResult r = again.upsert(docs);
    assertEquals(512, r.unchanged());
    assertEquals(488, r.added());
    assertTrue(r.embedded() <= 488, "vectors made before the failure are cached: " + r);
    assertEquals(r.embedded(), fake.textsEmbedded());
    assertEquals(1000, again.count());
  }

  @Test
  public void aDocumentWithAMetadataTypeClashIsRefusedBeforeItsBatchIsWritten(Random random)
      throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    store.upsert(corpus(random, 10));
    List<Document> clash = new ArrayList<>(corpus(random, 20).subList(10, 20));
    clash.set(5, new Document("doc-15", "text", null, Map.of("year", "recent")));
    fake.resetCounts();
    var e = assertThrows(IllegalArgumentException.class, () -> store.upsert(clash));
    assertTrue(
        e.getMessage().contains("doc-15") && e.getMessage().contains("year"), e.getMessage());
    assertEquals(10, store.count(), "nothing of the refused batch");
    assertEquals(0, fake.textsEmbedded(), "refused before anything was embedded");
  }

  @Test
  public void reopeningAndReaddingNeedNoModelCalls(Random random) throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(random, 200);
    VectorStore store = open("s", fake);
    store.upsert(docs);
    List<SearchHit> before = store.search(SearchRequest.of("passage", 10));
    store.close();
    fake.resetCounts();

    VectorStore again = open("s", fake);
    assertEquals(200, again.count());
    assertEquals(0, again.upsert(docs).embedded());
    assertEquals(200, again.delete(docs.stream().map(Document::id).toList()));
    assertEquals(0, again.count());
    assertEquals(0, again.upsert(docs).embedded(), "deleted documents' vectors stay cached");
    assertEquals(200, again.deleteAll());
    assertEquals(0, again.upsert(docs).embedded(), "so do those of deleteAll");
    assertEquals(
        before.stream().map(SearchHit::id).toList(),
        again.search(SearchRequest.of("passage", 10)).stream().map(SearchHit::id).toList());
    assertEquals(1, fake.textsEmbedded(), "only the query reached the model");
    StoreInfo info = again.info();
    assertEquals("fake", info.modelName());
    assertEquals(fake.fingerprint().hex(), info.fingerprint());
    assertEquals(16, info.dimension());
    assertEquals(200, info.documents());
    assertEquals(200, info.chunks());
    assertTrue(info.cacheEntries() >= 200, info.toString());
    assertEquals("long", info.metadataTypes().get("year"));
    assertEquals("string", info.metadataTypes().get("tags"));
    assertEquals("bool", info.metadataTypes().get("even"));
    assertEquals("double", info.metadataTypes().get("score"));
  }

  @Test
  public void anotherModelIsRefusedNamingBoth() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    store.upsert(List.of(Document.of("a", "a")));
    store.close();
    var e =
        assertThrows(StoreMismatchException.class, () -> open("s", new FakeEmbedder("other", 16)));
    assertTrue(e.getMessage().contains("fake") && e.getMessage().contains("other"), e.getMessage());
    assertEquals(1, open("s", new FakeEmbedder("fake", 16)).count(), "and nothing changed");
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and filtering

  @Test
  public void filtersMatchBruteForceInEveryMode(Random random) throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> docs = corpus(random, 300);
    store.upsert(docs);
    List<String> allIds = docs.stream().map(Document::id).toList();
    for (int t = 0; t < 40; t++) {
      Filter f = FilterOracle.random(random, allIds, 2);
      Set<String> expected = new HashSet<>();
      for (Document d : docs) {
        if (FilterOracle.matches(f, d)) {
          expected.add(d.id());
        }
      }
      for (SearchMode mode : SearchMode.values()) {
        if (!supports(store, mode)) {
          continue;
        }
        List<SearchHit> all = store.search(new SearchRequest("passage", 400, mode, f, 1));
        assertEquals(expected, idsOf(all), f + " in " + mode);
        List<SearchHit> top = store.search(new SearchRequest("passage", 5, mode, f, 4));
        assertEquals(Math.min(5, expected.size()), top.size(), "k hits that match: " + f);
        for (SearchHit h : top) {
          assertTrue(expected.contains(h.id()), h.id() + " does not match " + f + " in " + mode);
        }
      }
      assertEquals(expected, ids(store, f), "ids(" + f + ")");
    }
    assertEquals(Set.copyOf(allIds), ids(store, null));
  }

  @Test
  public void numericFiltersCompareNumbersAndAreLiteral() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    store.upsert(
        List.of(
            new Document("a", "passage a", null, Map.of("year", 2010, "score", 1.5, "n", "7")),
            new Document("b", "passage b", null, Map.of("year", 2011, "score", 2.0, "n", "x"))));
    assertEquals(Set.of("a"), ids(store, Filter.eq("year", 2010)));
    assertEquals(Set.of("a"), ids(store, Filter.eq("year", "2010")));
    assertEquals(Set.of("a"), ids(store, Filter.eq("year", 2010.0)));
    assertEquals(Set.of(), ids(store, Filter.eq("year", 2010.5)));
    assertEquals(Set.of("b"), ids(store, Filter.eq("score", 2)));
    assertEquals(Set.of("a"), ids(store, Filter.eq("n", 7)), "a string field compares strings");
    assertEquals(Set.of("a", "b"), ids(store, new Filter.Range("year", 2009.5, 2011)));
    assertEquals(Set.of("b"), ids(store, new Filter.Range("year", 2010.01, null)));
    assertEquals(Set.of("a"), ids(store, new Filter.Range("score", null, 1.5)));
    assertEquals(Set.of("a", "b"), ids(store, new Filter.AnyOf("year", Set.of("2010", "2011"))));
    assertEquals(Set.of(), ids(store, Filter.eq("nowhere", 1)));
    assertEquals(Set.of("a", "b"), ids(store, new Filter.Not(Filter.eq("nowhere", 1))));
    assertEquals(Set.of("a", "b"), ids(store, new Filter.And(List.of())));
    assertEquals(Set.of(), ids(store, new Filter.Or(List.of())));
  }

  /** Zeros of both signs are one number; infinities bound everything; longs compare exactly. */
  @Test
  public void numericEdgesCompareAsNumbers() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    long big = (1L << 53) + 1; // not a double
    store.upsert(
        List.of(
            new Document("neg", "passage", null, Map.of("z", -0.0, "n", big)),
            new Document("pos", "passage", null, Map.of("z", 0.0, "n", big - 1)),
            new Document("one", "passage", null, Map.of("z", 1.0, "n", Long.MAX_VALUE)),
            new Document("min", "passage", null, Map.of("z", -1.0, "n", Long.MIN_VALUE))));
    assertEquals(Set.of("neg", "pos"), ids(store, Filter.eq("z", 0.0)));
    assertEquals(Set.of("neg", "pos"), ids(store, Filter.eq("z", -0.0)));
    assertEquals(Set.of("neg", "pos", "one"), ids(store, new Filter.Range("z", 0.0, null)));
    assertEquals(Set.of("neg", "pos", "one"), ids(store, new Filter.Range("z", -0.0, null)));
    assertEquals(Set.of("one"), ids(store, new Filter.Range("z", 0.0, false, null, false)));
    assertEquals(Set.of("min"), ids(store, new Filter.Range("z", null, false, -0.0, false)));
    assertEquals(
        Set.of("neg", "pos", "one", "min"),
        ids(store, new Filter.Range("z", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)));
    assertEquals(Set.of(), ids(store, new Filter.Range("z", Double.POSITIVE_INFINITY, null)));
    assertEquals(Set.of(), ids(store, Filter.eq("z", Double.NaN)));
    assertEquals(Set.of("neg"), ids(store, Filter.eq("n", big)));
    assertEquals(Set.of("pos"), ids(store, Filter.eq("n", big - 1)));
    assertEquals(Set.of("neg", "one"), ids(store, new Filter.Range("n", big, null)));
    assertEquals(Set.of("one"), ids(store, new Filter.Range("n", big, false, null, false)));
    assertEquals(Set.of("one"), ids(store, Filter.eq("n", Long.MAX_VALUE)));
    assertEquals(
        Set.of("neg", "pos", "one"),
        ids(store, new Filter.Range("n", Long.MIN_VALUE, false, null, true)));
    assertEquals(
        Set.of("neg", "pos", "one", "min"),
        ids(store, new Filter.Range("n", Double.NEGATIVE_INFINITY, null)));
    assertEquals(Set.of(), ids(store, new Filter.Range("n", Double.POSITIVE_INFINITY, null)));
    assertEquals(Set.of(), ids(store, Filter.eq("n", Double.POSITIVE_INFINITY)));
    // The brute-force reference agrees on each of these.
    List<Document> docs =
        List.of(
            new Document("neg", "passage", null, Map.of("z", -0.0, "n", big)),
            new Document("pos", "passage", null, Map.of("z", 0.0, "n", big - 1)));
    assertTrue(FilterOracle.matches(Filter.eq("z", 0.0), docs.get(0)));
    assertFalse(FilterOracle.matches(Filter.eq("n", big - 1), docs.get(0)));
  }

  @Test
  public void deleteByFilterDeletesWhatTheFilterMatches(Random random) throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> docs = corpus(random, 200);
    store.upsert(docs);
    Filter f = Filter.eq("tag", "t1");
    long expected = docs.stream().filter(d -> FilterOracle.matches(f, d)).count();
    assertEquals(expected, store.delete(f));
    assertEquals(200 - expected, store.count());
    assertEquals(Set.of(), ids(store, f));
    assertEquals(0, store.delete(f));
    assertEquals(0, store.delete(List.of("no-such-id")));
  }

  @Test
  public void hostileIdsAndMetadataRoundTripAndFilterValuesAreLiteral() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<String> hostile =
        List.of(
            "quote \" and backslash \\",
            "line\nbreak\r\ttab",
            "nul \u0000 byte",
            "emoji \uD83D\uDE00 and CJK \u6F22\u5B57",
            "*:*",
            "id:* OR text:*",
            "(a AND b) || c^2 ~ \"phrase\" {!lucene}",
            "-negative +plus /regex/ [a TO z]",
            "");
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
      for (SearchMode mode : SearchMode.values()) {
        if (!supports(store, mode)) {
          continue;
        }
        List<SearchHit> hits =
            store.search(
                SearchRequest.of("text", 20)
                    .withMode(mode)
                    .withFilter(Filter.eq("tag", d.metadata().get("tag"))));
        List<String> got2 = hits.stream().map(SearchHit::id).toList();
        if (mode != SearchMode.KEYWORD || !got2.isEmpty()) {
          assertEquals(List.of(d.id()), got2, mode + " " + d.id());
        }
      }
      assertEquals(Set.of(d.id()), ids(store, new Filter.IdIn(Set.of(d.id()))));
    }
    assertEquals(Set.of(), ids(store, Filter.eq("tag", "nothing*")));
    assertEquals(Set.of(), ids(store, Filter.eq("tag", "*")));
    assertEquals(docs.size(), store.delete(docs.stream().map(Document::id).toList()));
  }

  @Test
  public void searchesFindTheExactNeighboursAndScoreByCosine(Random random) throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    List<Document> docs = corpus(random, 500);
    store.upsert(docs);
    int found = 0;
    for (int q = 0; q < 20; q++) {
      SearchRequest r = SearchRequest.of("query " + q, 10);
      List<SearchHit> exact = store.search(r.withMode(SearchMode.EXACT));
      Set<String> truth = idsOf(exact);
      for (SearchHit h : store.search(r)) {
        found += truth.contains(h.id()) ? 1 : 0;
      }
      // Scores are cosines, best first.
      float[] qv = FakeEmbedder.vectorOf("query " + q, Role.QUERY, 16);
      for (int i = 0; i < exact.size(); i++) {
        SearchHit h = exact.get(i);
        Document d = docs.get(Integer.parseInt(h.id().substring(4)));
        float[] dv = FakeEmbedder.vectorOf(d.embeddedText(), Role.DOCUMENT, 16);
        assertEquals(dot(qv, dv), h.score(), 1e-4, h.id());
        if (i > 0) {
          assertTrue(exact.get(i - 1).score() >= h.score());
        }
      }
    }
    assertTrue(found >= 0.95 * 200, "recall@10 " + found + "/200");
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  public void keywordAndHybridFindWordsWhenServed(Random random) throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> docs = new ArrayList<>(corpus(random, 50));
    docs.add(Document.of("zebra", "The zebra crossed the savanna at dawn."));
    store.upsert(docs);
    for (SearchMode mode : List.of(SearchMode.KEYWORD, SearchMode.HYBRID)) {
      SearchRequest r = SearchRequest.of("zebra savanna", 3).withMode(mode);
      if (!supports(store, mode)) {
        var e = assertThrows(UnsupportedOperationException.class, () -> store.search(r));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("not supported"));
        continue;
      }
      assertEquals("zebra", store.search(r).get(0).id(), mode.toString());
    }
    if (supports(store, SearchMode.KEYWORD)) {
      assertEquals(
          1, store.search(SearchRequest.of("zebra", 3).withMode(SearchMode.KEYWORD)).size());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bring your own vectors

  private static float[] randomVector(Random random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian() * 3; // not unit length: the store must cope
    }
    return v;
  }

  @Test
  public void aStoreOfAnExternalModelHoldsTheApplicationsVectors(Random random) throws IOException {
    ExternalModel model = ExternalModel.of("contract/external", 8);
    VectorStore store = open("s", model);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      // Every text alike: vectors, not texts, tell these documents apart.
      docs.add(
          new Document("v" + i, "same text", null, Map.of("i", i))
              .withVector(randomVector(random, 8)));
    }
    UpsertResult r = store.upsert(docs);
    assertEquals(100, r.added());
    assertEquals(0, r.embedded());
    assertEquals(100, store.upsert(docs).unchanged());
    for (int i = 0; i < 100; i += 7) {
      Document d = docs.get(i);
      List<SearchHit> hits = store.search(SearchRequest.ofVector(d.vector(), 3).withVectors(true));
      assertEquals(d.id(), hits.get(0).id());
      assertEquals(1.0, hits.get(0).score(), 1e-4, "cosine of a vector with itself");
      assertArrayEquals(d.vector(), hits.get(0).vector(), 0f, "bit-exact as given");
      assertArrayEquals(d.vector(), store.get(d.id()).orElseThrow().vector(), 0f);
      List<SearchHit> exact =
          store.search(SearchRequest.ofVector(d.vector(), 3).withMode(SearchMode.EXACT));
      assertEquals(d.id(), exact.get(0).id());
      assertNull(exact.get(0).vector(), "no vectors unless asked");
    }
    List<SearchHit> filtered =
        store.search(
            SearchRequest.ofVector(docs.get(0).vector(), 5)
                .withFilter(new Filter.Range("i", 50, null)));
    assertEquals(5, filtered.size());
    filtered.forEach(h -> assertTrue(Integer.parseInt(h.id().substring(1)) >= 50, h.id()));

    // A changed vector is an update, and searches see the new one.
    float[] moved = randomVector(random, 8);
    assertEquals(1, store.upsert(List.of(docs.get(3).withVector(moved))).updated());
    assertEquals("v3", store.search(SearchRequest.ofVector(moved, 1)).get(0).id());

    var noVector =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.upsert(List.of(Document.of("plain", "no vector here"))));
    assertTrue(
        noVector.getMessage().contains("plain")
            && noVector.getMessage().contains("contract/external"),
        noVector.getMessage());
    var wrongDimension =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.upsert(List.of(Document.of("w", "w").withVector(new float[5]))));
    assertTrue(wrongDimension.getMessage().contains("5"), wrongDimension.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> store.search(SearchRequest.ofVector(new float[3], 1)));
    var byText =
        assertThrows(
            UnsupportedOperationException.class, () -> store.search(SearchRequest.of("q", 1)));
    assertTrue(byText.getMessage().contains("external"), byText.getMessage());
    assertEquals(100, store.count(), "nothing of the refused calls");
    store.close();

    var other =
        assertThrows(
            StoreMismatchException.class,
            () -> open("s", ExternalModel.of("contract/external", 9)));
    assertTrue(other.getMessage().contains("contract/external"), other.getMessage());
    assertEquals(100, open("s", model).count());
  }

  @Test
  public void aModelStoreAlsoTakesVectorsAndQueryVectors(Random random) throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    store.upsert(corpus(random, 50));
    float[] own = randomVector(random, 16);
    store.upsert(List.of(Document.of("own", "a text the model never saw").withVector(own)));
    fake.resetCounts();
    assertEquals("own", store.search(SearchRequest.ofVector(own, 1)).get(0).id());
    float[] q = FakeEmbedder.vectorOf("query", Role.QUERY, 16);
    assertEquals(
        store.search(SearchRequest.of("query", 5)).stream().map(SearchHit::id).toList(),
        store.search(SearchRequest.ofVector(q, 5)).stream().map(SearchHit::id).toList());
    assertEquals(1, fake.textsEmbedded(), "the query vector needed no model call");
  }

  // ---------------------------------------------------------------------------------------------
  // The cache through the store

  @Test
  public void embeddingThroughTheStoreAndPuttingEntriesFeedTheCache() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    CachedEmbedder.Outcome first = store.embed(List.of("x", "y", "x"), Role.DOCUMENT);
    assertEquals(2, first.embedded());
    CachedEmbedder.Outcome second = store.embed(List.of("x", "y"), Role.DOCUMENT);
    assertEquals(2, second.hits());
    assertArrayEquals(first.vectors().get(0), second.vectors().get(0), 0f);
    assertEquals(
        2, store.upsert(List.of(Document.of("a", "x"), Document.of("b", "y"))).cacheHits());

    float[] v = FakeEmbedder.vectorOf("z", Role.DOCUMENT, 16);
    CacheKey key = CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, "z");
    store.putCacheEntries(List.of(new CacheEntry(key, fake.fingerprint(), Role.DOCUMENT, v)));
    fake.resetCounts();
    UpsertResult r = store.upsert(List.of(Document.of("c", "z")));
    assertEquals(0, r.embedded());
    assertEquals(1, r.cacheHits());
    assertArrayEquals(v, store.cache().getAll(List.of(key))[0], 0f);
    CachedEmbedder.Stats stats = store.embedderStats();
    assertTrue(stats.hits() >= 3 && stats.embedded() >= 2, stats.toString());
  }

  @Test
  public void theCacheViewIsReadOnlyAndClosingItLeavesTheStoreWorking() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    store.upsert(List.of(Document.of("a", "x")));
    CacheKey key = CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, "x");
    var view = store.cache();
    assertNotNull(view.getAll(List.of(key))[0]);
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            view.putAll(
                List.of(new CacheEntry(key, fake.fingerprint(), Role.DOCUMENT, new float[16]))));
    assertThrows(UnsupportedOperationException.class, () -> view.invalidate(List.of(key)));
    assertThrows(UnsupportedOperationException.class, () -> view.clear(fake.fingerprint()));
    view.close();
    assertEquals(1, store.upsert(List.of(Document.of("b", "y"))).added());
    assertEquals(2, store.count());
    assertTrue(view.stats().entries() >= 2);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle and concurrency

  @Test
  public void aClosedStoreRefusesEveryCallAndClosesTwice() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    store.upsert(List.of(Document.of("a", "x")));
    var view = store.cache();
    store.close();
    store.close();
    String name = store.getClass().getSimpleName();
    List<org.junit.jupiter.api.function.Executable> calls =
        List.of(
            () -> store.upsert(List.of(Document.of("b", "y"))),
            () -> store.delete(List.of("a")),
            () -> store.delete(Filter.eq("k", "v")),
            store::deleteAll,
            store::commit,
            () -> store.search(SearchRequest.of("x", 1)),
            () -> store.get("a"),
            () -> store.ids(null).close(),
            store::count,
            store::info,
            () -> store.embed(List.of("x"), Role.QUERY),
            () -> store.putCacheEntries(List.of()));
    for (var call : calls) {
      var e = assertThrows(IllegalStateException.class, call);
      assertTrue(e.getMessage().contains(name + " is closed"), e.getMessage());
    }
    var e = assertThrows(IllegalStateException.class, () -> view.getAll(List.of()));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals(1, open("s", new FakeEmbedder("fake", 16)).count(), "what was written is kept");
  }

  @Test
  public void searchersRunBesideOneWriter(Random random) throws Exception {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> docs = corpus(random, 600);
    store.upsert(docs.subList(0, 100));
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch started = new CountDownLatch(3);
    List<Thread> searchers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int seed = random.nextInt();
      Thread th =
          new Thread(
              () -> {
                Random r = new Random(seed);
                started.countDown();
                try {
                  while (!done.get()) {
                    List<SearchHit> hits =
                        store.search(
                            SearchRequest.of("query " + r.nextInt(50), 5)
                                .withFilter(r.nextBoolean() ? null : Filter.eq("even", true)));
                    assertEquals(5, hits.size());
                    assertTrue(store.count() >= 100);
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      th.start();
      searchers.add(th);
    }
    started.await();
    for (int from = 100; from < 600; from += 50) {
      store.upsert(docs.subList(from, from + 50));
    }
    done.set(true);
    for (Thread th : searchers) {
      th.join();
    }
    assertTrue(failures.isEmpty(), () -> "searcher failed: " + failures.peek());
    assertEquals(600, store.count());
    for (Document d : docs) {
      List<SearchHit> hits =
          store.search(SearchRequest.of("x", 1).withFilter(new Filter.IdIn(Set.of(d.id()))));
      assertEquals(d.id(), hits.get(0).id());
    }
  }

  @Test
  public void idsStreamEveryDocumentOnce(Random random) throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<Document> docs = corpus(random, 1200);
    store.upsert(docs);
    long n;
    try (Stream<String> s = store.ids(null)) {
      n = s.distinct().count();
    }
    assertEquals(1200, n);
    try (Stream<String> s = store.ids(Filter.eq("even", true))) {
      assertEquals(600, s.count());
    }
    try (Stream<String> s = store.ids(null)) {
      assertEquals(3, s.limit(3).count(), "a stream closed early");
    }
    assertFalse(ids(store, Filter.eq("even", true)).contains("doc-1"));
  }
}
