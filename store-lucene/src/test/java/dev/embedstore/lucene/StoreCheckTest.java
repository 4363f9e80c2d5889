package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.lucene.internal.CommitData;
import dev.embedstore.lucene.internal.Fields;
import dev.embedstore.npy.NpyReader;
import dev.embedstore.store.Document;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
  @TempDir Path dir;

  /** Two commits of 200 documents: two segments, _0 and _1. */
  private FakeEmbedder twoSegments(Path store) throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    List<Document> docs = LuceneVectorStoreTest.corpus(400);
    try (LuceneVectorStore s = LuceneVectorStore.open(store, fake)) {
      s.upsert(docs.subList(0, 200));
      s.upsert(docs.subList(200, 400));
    }
    return fake;
  }

  @Test
  void aSoundStorePasses() throws IOException {
    Path store = dir.resolve("s");
    twoSegments(store);
    for (boolean slow : new boolean[] {false, true}) {
      StoreCheck.Report r = StoreCheck.check(store, slow);
      assertTrue(r.sound(), r.problems().toString());
      assertEquals(400, r.documents());
      assertEquals(400, r.chunks());
      assertEquals(400, r.cacheEntries());
      assertEquals(2, r.segments());
    }
  }

  @Test
  void aFlippedByteIsReportedByFileAndUndamagedVectorsCanBeSalvaged() throws IOException {
    Path store = dir.resolve("s");
    FakeEmbedder fake = twoSegments(store);
    Path damaged = store.resolve("_1.cfs");
    assertTrue(Files.exists(damaged), "expected a compound segment _1.cfs");
    try (FileChannel ch =
        FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long at = ch.size() / 2;
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) ~b.get(0)).position(0);
      ch.write(b, at);
    }
    // Opening refuses the damaged store, naming it and the file, and changes nothing.
    CorruptStoreException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            CorruptStoreException.class, () -> LuceneVectorStore.open(store, fake).close());
    assertTrue(
        refused.getMessage().contains(store.toString()) && refused.getMessage().contains("_1.cfs"),
        refused.getMessage());
    StoreCheck.Report r = StoreCheck.check(store, false);
    assertFalse(r.sound());
    assertTrue(
        r.problems().stream().anyMatch(p -> p.contains("segment _1") && p.contains("_1.cfs")),
        r.problems().toString());

    Path npy = dir.resolve("salvaged.npy");
    StoreCheck.Salvage s = StoreCheck.salvageVectors(store, null, npy);
    assertEquals(List.of("_1"), s.droppedSegments());
    assertEquals(200, s.exported());
    assertEquals(400, s.lostEntriesAndChunks());
    try (NpyReader in = NpyReader.open(npy)) {
      assertEquals(200, in.rows());
    }
    // The store itself was not touched: still damaged, still reported.
    assertFalse(StoreCheck.check(store, false).sound());

    // The salvaged vectors rebuild the first half without the model.
    fake.resetCounts();
    try (LuceneVectorStore fresh = LuceneVectorStore.open(dir.resolve("fresh"), fake)) {
      fresh.importVectors(npy);
      assertEquals(0, fresh.upsert(LuceneVectorStoreTest.corpus(200)).embedded());
    }
  }

  @Test
  void aChunkWithoutItsCacheEntryAndAFutureFormatAreProblems() throws IOException {
    Path store = dir.resolve("s");
    twoSegments(store);
    try (FSDirectory d = FSDirectory.open(store);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Map<String, String> ud = new java.util.HashMap<>();
      w.getLiveCommitData().forEach(e -> ud.put(e.getKey(), e.getValue()));
      // Remove one entry behind the store's back, and claim a format from the future.
      w.deleteDocuments(new Term(Fields.KIND, Fields.ENTRY));
      ud.put(CommitData.FORMAT_KEY, "99");
      w.setLiveCommitData(ud.entrySet());
      w.commit();
    }
    StoreCheck.Report r = StoreCheck.check(store, false);
    assertTrue(
        r.problems().stream().anyMatch(p -> p.contains("store format 99")),
        r.problems().toString());
    assertTrue(
        r.problems().stream().anyMatch(p -> p.contains("has no cache entry")),
        r.problems().toString());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("and 390 more")));
  }
}
