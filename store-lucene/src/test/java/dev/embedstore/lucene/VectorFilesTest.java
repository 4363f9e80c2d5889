package dev.embedstore.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.npy.NpyReader;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.testing.FakeEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export of a model's cached vectors to .npy + keys, and import into another store. */
class VectorFilesTest {
  @TempDir Path dir;

  @Test
  void exportedVectorsRebuildAnotherStoreWithoutTheModel() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 24);
    List<Document> docs = LuceneVectorStoreTest.corpus(300);
    Path npy = dir.resolve("out/vectors.npy");
    Files.createDirectories(npy.getParent());
    try (LuceneVectorStore store = LuceneVectorStore.open(dir.resolve("a"), fake, null, true)) {
      store.upsert(docs);
      store.search(SearchRequest.of("a query is cached too", 3));
      assertEquals(301, store.exportVectors(fake.fingerprint(), npy), "live, before a commit");
    }
    assertEquals(
        301,
        LuceneEmbeddingCache.exportVectors(dir.resolve("a"), fake.fingerprint(), npy),
        "from the folder, as of its last commit");
    List<String> keyLines = Files.readAllLines(dir.resolve("out/vectors.keys"));
    assertEquals(302, keyLines.size());
    assertTrue(
        keyLines.get(0).startsWith("# embedstore-keys/1 fingerprint=" + fake.fingerprint().hex()));
    assertEquals(1, keyLines.stream().filter(l -> l.endsWith(" Q")).count());
    try (NpyReader r = NpyReader.open(npy)) {
      assertEquals(301, r.rows());
      assertEquals(24, r.dimension());
    }

    fake.resetCounts();
    try (LuceneVectorStore other = LuceneVectorStore.open(dir.resolve("b"), fake)) {
      assertEquals(301, other.importVectors(npy));
      other.commit();
      assertEquals(0, other.upsert(docs).embedded());
      assertEquals(300, other.count());
    }
    assertEquals(0, fake.textsEmbedded());
    assertTrue(StoreCheck.check(dir.resolve("b"), false).sound());
  }

  @Test
  void mismatchedOrDamagedFilesAreRefusedByName() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 8);
    Path npy = dir.resolve("v.npy");
    try (LuceneVectorStore store = LuceneVectorStore.open(dir.resolve("a"), fake)) {
      store.upsert(LuceneVectorStoreTest.corpus(10));
      LuceneEmbeddingCache.exportVectors(dir.resolve("a"), fake.fingerprint(), npy);
      Path keys = dir.resolve("v.keys");
      List<String> lines = Files.readAllLines(keys);

      Files.write(keys, lines.subList(0, 6));
      IOException e = assertThrows(IOException.class, () -> store.importVectors(npy));
      assertTrue(e.getMessage().contains("more rows than"), e.getMessage());

      List<String> bad = new java.util.ArrayList<>(lines);
      bad.set(3, "zz " + bad.get(3).substring(3));
      Files.write(keys, bad);
      e = assertThrows(IOException.class, () -> store.importVectors(npy));
      assertTrue(e.getMessage().contains("v.keys, line 4"), e.getMessage());

      Files.writeString(keys, "id,vector\n");
      e = assertThrows(IOException.class, () -> store.importVectors(npy));
      assertTrue(e.getMessage().contains("not an Embedstore keys file"), e.getMessage());

      e =
          assertThrows(
              IOException.class,
              () ->
                  LuceneEmbeddingCache.exportVectors(
                      dir.resolve("a"),
                      new FakeEmbedder("other", 8).fingerprint(),
                      dir.resolve("x.npy")));
      assertTrue(e.getMessage().contains("no vectors of model"), e.getMessage());
    }
  }
}
