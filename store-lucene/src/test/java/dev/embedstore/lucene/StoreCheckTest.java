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
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
  @TempDir Path dir;

  /**
   * Two commits of 200 documents: two segments, or up to four where the store writes a batch on two
   * threads (each thread's buffer flushes as a segment of its own).
   */
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
      assertEquals(layout(store).size(), r.segments());
      assertTrue(r.segments() >= 2 && r.segments() <= 4, r.segments() + " segments");
    }
  }

  @Test
  void aFlippedByteIsReportedByFileAndUndamagedVectorsCanBeSalvaged() throws IOException {
    Path store = dir.resolve("s");
    FakeEmbedder fake = twoSegments(store);
    // The last segment flushed: part of the second commit (all of it with one writing thread).
    List<Segment> segments = layout(store);
    Segment last = segments.get(segments.size() - 1);
    long entries = segments.stream().mapToLong(Segment::entries).sum();
    assertEquals(400, entries);
    Path damaged = store.resolve(last.name() + ".cfs");
    assertTrue(Files.exists(damaged), "expected a compound segment " + damaged);
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
        refused.getMessage().contains(store.toString())
            && refused.getMessage().contains(last.name() + ".cfs"),
        refused.getMessage());
    StoreCheck.Report r = StoreCheck.check(store, false);
    assertFalse(r.sound());
    assertTrue(
        r.problems().stream()
            .anyMatch(
                p -> p.contains("segment " + last.name()) && p.contains(last.name() + ".cfs")),
        r.problems().toString());

    Path npy = dir.resolve("salvaged.npy");
    StoreCheck.Salvage s = StoreCheck.salvageVectors(store, null, npy);
    assertEquals(List.of(last.name()), s.droppedSegments());
    assertEquals(entries - last.entries(), s.exported());
    assertEquals(last.documents(), s.lostEntriesAndChunks());
    try (NpyReader in = NpyReader.open(npy)) {
      assertEquals(entries - last.entries(), in.rows());
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

  /**
   * A segment of a store: its name, its cache entries, and all its Lucene documents.
   *
   * @param name the segment's name
   * @param entries its cache entries
   * @param documents its cache entries and chunks
   */
  record Segment(String name, long entries, long documents) {}

  /** The store's segments in the order they were written, read with Lucene itself. */
  static List<Segment> layout(Path store) throws IOException {
    List<Segment> out = new java.util.ArrayList<>();
    try (FSDirectory d = FSDirectory.open(store);
        DirectoryReader r = DirectoryReader.open(d)) {
      for (LeafReaderContext leaf : r.leaves()) {
        SegmentReader sr = (SegmentReader) leaf.reader();
        long entries = sr.docFreq(new Term(Fields.KIND, Fields.ENTRY));
        out.add(new Segment(sr.getSegmentName(), entries, sr.maxDoc()));
      }
    }
    out.sort(
        java.util.Comparator.comparingLong(
            seg -> Long.parseLong(seg.name().substring(1), Character.MAX_RADIX)));
    return out;
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
