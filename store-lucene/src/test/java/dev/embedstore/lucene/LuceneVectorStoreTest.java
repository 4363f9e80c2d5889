package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.ExternalModel;
import dev.embedstore.embed.Role;
import dev.embedstore.lucene.internal.CommitData;
import dev.embedstore.lucene.internal.Fields;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.spi.LibraryVersion;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;
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

  /**
   * A batch of at least 64 documents is written by two threads on a machine with two cores (each
   * half of it by one): every document lands once, searchable, and an update of the batch replaces
   * every one. How many segments a commit then flushes depends on how the threads met Lucene's
   * buffers (one or two), so only the bounds are checked.
   */
  @Test
  void aLargeBatchIsWrittenByTwoThreadsAndEveryDocumentLandsOnce() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(256);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(256, store.upsert(docs).added());
    }
    long segments = chunkSegments(dir);
    assertTrue(segments >= 1 && segments <= 2, segments + " segments");
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(256, store.count());
      for (Document d : List.of(docs.get(0), docs.get(127), docs.get(128), docs.get(255))) {
        SearchRequest one =
            SearchRequest.of(d.embeddedText(), 1)
                .withFilter(new dev.embedstore.store.Filter.IdIn(java.util.Set.of(d.id())));
        assertEquals(d.id(), store.search(one).get(0).id());
      }
      // Both halves replace their documents: nothing added, nothing doubled.
      List<Document> edited = new ArrayList<>();
      for (Document d : docs) {
        edited.add(new Document(d.id(), d.text() + " (edited)", d.title(), d.metadata()));
      }
      assertEquals(256, store.upsert(edited).updated());
      assertEquals(256, store.count());
    }
  }

  /** How many segments of a store hold chunks. */
  static long chunkSegments(Path store) throws IOException {
    Term chunk = new Term(Fields.KIND, Fields.CHUNK);
    long n = 0;
    try (FSDirectory d = FSDirectory.open(store);
        DirectoryReader r = DirectoryReader.open(d)) {
      for (LeafReaderContext leaf : r.leaves()) {
        if (leaf.reader().docFreq(chunk) > 0) {
          n++;
        }
      }
    }
    return n;
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
      assertEquals(300, store.cache().stats().entries(), "entries outlive documents");
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
    assertEquals(Quantization.INT8, LuceneVectorStore.readConfig(dir).quantization());
    assertEquals("int8", info.details().get("quantization"));
    assertEquals(300, info.documents());
    assertEquals("fake", info.modelName());
    assertEquals("fake", LuceneVectorStore.readModelName(dir), "the same name, without a reader");
    assertThrows(IOException.class, () -> LuceneVectorStore.readModelName(dir.resolve("none")));
    assertEquals(LibraryVersion.get(), info.details().get("library_version"));
    assertTrue(StoreCheck.check(dir, false).sound());
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
      ud.put(CommitData.FORMAT_KEY, Integer.toString(LuceneVectorStore.FORMAT + 1));
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
  void gcRemovesOnlyUnreferencedEntries() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 32);
    List<Document> docs = corpus(100);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
      store.delete(List.of("doc-1", "doc-2", "doc-3"));
      assertEquals(100, store.cache().stats().entries());
      assertEquals(3, store.gc());
      assertEquals(97, store.cache().stats().entries());
      assertEquals(0, store.gc());
      fake.resetCounts();
      assertEquals(3, store.upsert(docs).embedded());
    }
  }

  /**
   * A k far beyond the store's size returns every document in every mode, without sizing Lucene's
   * queues (or an overflowing k × oversample) by it.
   */
  @Test
  void aHugeKReturnsEveryDocument() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(corpus(50));
      for (SearchMode mode : SearchMode.values()) {
        for (int oversample : new int[] {1, 1 << 20}) {
          List<SearchHit> hits =
              store.search(
                  new SearchRequest("passage topic", Integer.MAX_VALUE, mode, null, oversample));
          Set<String> ids = new HashSet<>();
          hits.forEach(h -> ids.add(h.id()));
          assertEquals(50, ids.size(), mode + ", oversample " + oversample);
          assertEquals(50, hits.size(), mode + ", oversample " + oversample);
        }
      }
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

  /** The application's own vectors survive a rebuild with quantisation bit for bit. */
  @Test
  void aStoreOfAnExternalModelRebuildsWithoutLosingItsVectors() throws IOException {
    ExternalModel model = ExternalModel.of("test/external", 12);
    java.util.Random random = new java.util.Random(42);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      float[] v = new float[12];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) random.nextGaussian() * 5;
      }
      docs.add(new Document("e" + i, "text " + i, null, Map.of("i", i)).withVector(v));
    }
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, model)) {
      store.upsert(docs);
      assertEquals(0, store.rebuild(store.config().withQuantization(Quantization.INT8)));
      for (Document d : docs.subList(0, 20)) {
        assertArrayEquals(d.vector(), store.get(d.id()).orElseThrow().vector(), 0f, d.id());
        assertEquals(
            d.id(),
            store
                .search(SearchRequest.ofVector(d.vector(), 1).withMode(SearchMode.EXACT))
                .get(0)
                .id());
      }
      assertEquals(0, store.gc(), "every given vector is in use");
    }
    assertTrue(
        StoreCheck.check(dir, false).sound(), "non-unit vectors check against their unit form");
    assertThrows(
        StoreMismatchException.class, () -> LuceneVectorStore.open(dir, FakeEmbedder.small()));
  }

  /**
   * An ingestion's cache lookups do not refresh the searcher: one segment per commit, not per
   * batch.
   */
  @Test
  void aColdIngestionFlushesOnlyAtCommits() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store =
        LuceneVectorStore.open(dir, fake, StoreConfig.DEFAULT.withCommitInterval(1_000_000))) {
      List<Document> docs = corpus(2048);
      docs.set(2000, Document.of("repeat", docs.get(4).text())); // a text of an earlier batch
      UpsertResult r = store.upsert(docs);
      assertEquals(2047, r.embedded());
      assertEquals(
          1, r.cacheHits(), "an entry put in an earlier batch is found before any refresh");
    }
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var reader = org.apache.lucene.index.DirectoryReader.open(d)) {
      assertTrue(reader.leaves().size() <= 2, reader.leaves().size() + " segments");
    }
  }

  /**
   * Every chunk carries its document's digest as doc values too (what an unchanged re-index reads),
   * equal to the stored one, also after an update, and re-indexing compares against it.
   */
  @Test
  void everyChunkCarriesItsDigestAsDocValues() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = corpus(300);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(docs);
      store.upsert(List.of(Document.of("doc-7", "an edited text")));
    }
    int chunks = 0;
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var reader = org.apache.lucene.index.DirectoryReader.open(d)) {
      for (var leaf : reader.leaves()) {
        var values = leaf.reader().getBinaryDocValues("hash.dv");
        var stored = leaf.reader().storedFields();
        var live = leaf.reader().getLiveDocs();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          String hash = stored.document(doc).get("hash");
          if (hash == null || (live != null && !live.get(doc))) {
            continue; // a cache entry, or a replaced chunk
          }
          chunks++;
          assertTrue(
              values != null && values.advanceExact(doc), "chunk " + doc + " has no hash.dv");
          assertEquals(hash, values.binaryValue().utf8ToString());
        }
      }
    }
    assertEquals(300, chunks);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      List<Document> edited = new ArrayList<>(docs);
      edited.set(7, Document.of("doc-7", "an edited text"));
      UpsertResult again = store.upsert(edited);
      assertEquals(300, again.unchanged(), again.toString());
    }
  }

  /** A standalone cache opened on a store folder writes with the store's codec. */
  @Test
  void aCacheOpenedOnAQuantizedStoreKeepsItsVectorFormatWhenMerging() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store =
        LuceneVectorStore.open(
            dir, fake, StoreConfig.DEFAULT.withQuantization(Quantization.INT8))) {
      List<Document> docs = corpus(300);
      for (int from = 0; from < 300; from += 100) {
        store.upsert(docs.subList(from, from + 100));
      }
    }
    String key = org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY;
    Set<String> storeFormats = new HashSet<>();
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var reader = org.apache.lucene.index.DirectoryReader.open(d)) {
      assertTrue(reader.leaves().size() > 1);
      for (var leaf : reader.leaves()) {
        storeFormats.add(leaf.reader().getFieldInfos().fieldInfo("vector").getAttribute(key));
      }
    }
    String defaultFormat =
        ((org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat)
                new org.apache.lucene.codecs.lucene104.Lucene104Codec().knnVectorsFormat())
            .getKnnVectorsFormatForField("vector")
            .getName();
    assertEquals(1, storeFormats.size(), storeFormats.toString());
    assertFalse(storeFormats.contains(defaultFormat), "INT8 is not the default format");

    try (LuceneEmbeddingCache cache = LuceneEmbeddingCache.open(dir)) {
      cache.index().writer().forceMerge(1);
      cache.commit();
    }
    try (var d = org.apache.lucene.store.FSDirectory.open(dir);
        var reader = org.apache.lucene.index.DirectoryReader.open(d)) {
      assertEquals(1, reader.leaves().size());
      var info = reader.leaves().get(0).reader().getFieldInfos().fieldInfo("vector");
      assertEquals(storeFormats, Set.of(info.getAttribute(key)), "merged in the store's format");
    }
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(300, store.count());
    }
    assertTrue(StoreCheck.check(dir, false).sound());
  }

  /** A read-only store searches beside a writer that holds the lock, and refuses every write. */
  @Test
  void aReadOnlyStoreSearchesWhileAnotherWriterHoldsTheLock() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> LuceneVectorStore.openReadOnly(dir.resolve("nothing"), fake));
    try (LuceneVectorStore writer = LuceneVectorStore.open(dir, fake)) {
      writer.upsert(corpus(100));
      try (LuceneVectorStore reader = LuceneVectorStore.openReadOnly(dir, fake)) {
        assertEquals(100, reader.count());
        assertEquals(5, reader.search(SearchRequest.of("passage", 5)).size());
        assertEquals("doc-7", reader.get("doc-7").orElseThrow().id());
        assertEquals(100, reader.info().documents());
        for (org.junit.jupiter.api.function.Executable write :
            List.<org.junit.jupiter.api.function.Executable>of(
                () -> reader.upsert(corpus(1)),
                () -> reader.delete(List.of("doc-1")),
                reader::deleteAll,
                reader::commit,
                reader::gc,
                () -> reader.forceMerge(1),
                () -> reader.rebuild(StoreConfig.DEFAULT),
                () -> reader.embed(List.of("new text"), Role.DOCUMENT))) {
          var e = assertThrows(IllegalStateException.class, write);
          assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        writer.upsert(corpus(150));
        assertEquals(100, reader.count(), "a read-only store shows the commit it opened");
      }
      assertEquals(150, writer.count());
    }
    assertThrows(
        StoreMismatchException.class,
        () -> LuceneVectorStore.openReadOnly(dir, new FakeEmbedder("other", 16)));
  }

  /** The cache view cannot commit behind the store's back; writes go through the store. */
  @Test
  void cacheEntriesPutThroughTheStoreAreCommittedWithIt() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      store.upsert(corpus(10));
      store.embed(List.of("only embedded, never indexed"), Role.DOCUMENT);
      store.commit();
    }
    fake.resetCounts();
    try (LuceneVectorStore store = LuceneVectorStore.open(dir, fake)) {
      assertEquals(
          0, store.embed(List.of("only embedded, never indexed"), Role.DOCUMENT).embedded());
      assertEquals("long", LuceneVectorStore.readInfo(dir).metadataTypes().get("year"));
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
