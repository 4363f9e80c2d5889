package dev.embedstore.solr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.UpsertResult;
import dev.embedstore.store.VectorStore;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.testing.Seeded;
import dev.embedstore.text.TextSplitter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link StorePush} between two collections of a real cluster: the cache and the documents move
 * with no model call, and a second push copies nothing.
 */
@ExtendWith(Seeded.class)
class StorePushTest {
  @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();

  @BeforeEach
  void clean() throws IOException {
    CLUSTER.dropCollections();
  }

  private static SolrStoreConfig config(String name) {
    return CLUSTER.config(name).shards(2).replicationFactor(1).build();
  }

  @Test
  void theCacheAndTheDocumentsMoveWithoutModelCallsAndOnlyOnce(Random random) throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    TextSplitter splitter =
        TextSplitter.of(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length, 6, 0);
    List<Document> plain = new ArrayList<>();
    List<Document> split = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      plain.add(
          new Document(
              "p" + i,
              "plain passage " + i,
              i % 4 == 0 ? "t" + i : null,
              FilterOracle.metadata(random, i)));
      split.add(
          Document.of(
              "s" + i,
              "a longer text number " + i + " in two paragraphs.\n\nand its second part " + i));
    }
    float[] own = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
    try (VectorStore source = SolrVectorStore.open(config("source"), fake)) {
      source.upsert(plain);
      source.upsert(split, splitter, null);
      source.upsert(List.of(Document.of("own", "plain passage 3").withVector(own)));
    }
    fake.resetCounts();
    try (VectorStore source = SolrVectorStore.open(config("source"), fake);
        VectorStore target =
            SolrVectorStore.open(config("target"), StorePush.withoutModelCalls(fake))) {
      StorePush.CacheResult first = StorePush.cache(source, target, fake.fingerprint());
      assertEquals(first.entries(), first.copied(), first.toString());
      assertTrue(first.entries() >= 120 + 240 + 1, first.toString());
      StorePush.CacheResult again = StorePush.cache(source, target, fake.fingerprint());
      assertEquals(new StorePush.CacheResult(first.entries(), 0, first.entries()), again);

      // Split documents need the chunking they were indexed with: without it, nothing is embedded,
      // the push refuses and says why.
      var e =
          assertThrows(
              UnsupportedOperationException.class, () -> target.upsert(split.subList(0, 3)));
      assertTrue(e.getMessage().contains("no model calls"), e.getMessage());

      UpsertResult docs = StorePush.documents(source, target, splitter, null);
      // The plain documents were indexed without a splitter: with one, they are single chunks
      // whose digest differs from the source's, and still need no model call.
      assertEquals(0, docs.embedded(), docs.toString());
      assertEquals(source.count(), target.count());
      for (Document d : plain.subList(0, 10)) {
        Document got = target.get(d.id()).orElseThrow();
        assertEquals(d.text(), got.text());
        assertEquals(d.metadata(), got.metadata());
      }
      assertArrayEquals(own, target.get("own").orElseThrow().vector(), 0f, "its own vector");
      List<SearchHit> hits = target.search(SearchRequest.ofVector(own, 1));
      assertEquals("own", hits.get(0).id());

      UpsertResult twice = StorePush.documents(source, target, splitter, null);
      assertEquals(source.count(), twice.unchanged(), "a second push rewrites nothing");
      assertEquals(0, twice.embedded());
    }
    assertEquals(0, fake.textsEmbedded(), "no model call anywhere");
  }
}
