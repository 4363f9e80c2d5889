package dev.embedstore.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.InMemoryEmbeddingCache;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CachedEmbeddingModel over a counting delegate: only misses reach it, and never a stale vector.
 */
class CachedEmbeddingModelTest {
  @TempDir Path tmp;

  @Test
  void onlyDistinctMissesReachTheDelegateInBatches() throws IOException {
    CountingModel delegate = new CountingModel("remote-a", 16);
    try (CachedEmbeddingModel model =
        CachedEmbeddingModel.builder()
            .delegate(delegate)
            .cache(InMemoryEmbeddingCache.withMaxEntries(1000))
            .batchSize(2)
            .build()) {
      List<TextSegment> in =
          List.of("a", "b", "a", "c", "d", "b").stream().map(TextSegment::from).toList();
      List<Embedding> first = model.embedAll(in).content();
      assertEquals(6, first.size());
      // 4 distinct texts in batches of 2: 2 calls.
      assertEquals(2, delegate.calls.get());
      assertEquals(4, delegate.texts.get());
      assertEquals(first.get(0), first.get(2));
      // Bit-exact as the delegate makes them.
      assertEquals(delegate.embed("c").content(), first.get(3));
      long before = delegate.calls.get();
      assertEquals(first, model.embedAll(in).content());
      assertEquals(before, delegate.calls.get());
      CachedEmbeddingModel.Stats s = model.stats();
      // 6 misses (a and b twice), 4 distinct texts embedded, then 6 hits.
      assertEquals(new CachedEmbeddingModel.Stats(6, 6, 4, 2), s);
    }
  }

  @Test
  void aSecondModelOnTheFolderCallsNothing() throws IOException {
    Path folder = tmp.resolve("cache");
    CountingModel first = new CountingModel("remote-a", 8);
    List<Embedding> vectors;
    try (CachedEmbeddingModel model =
        CachedEmbeddingModel.builder().delegate(first).cacheFolder(folder).build()) {
      vectors = model.embedAll(List.of(TextSegment.from("x"), TextSegment.from("y"))).content();
      assertEquals(1, first.calls.get());
    }
    CountingModel again = new CountingModel("remote-a", 8);
    try (CachedEmbeddingModel model =
        CachedEmbeddingModel.builder().delegate(again).cacheFolder(folder).build()) {
      assertEquals(
          vectors, model.embedAll(List.of(TextSegment.from("x"), TextSegment.from("y"))).content());
      assertEquals(0, again.calls.get());
      assertEquals(0, model.stats().calls());
    }
  }

  @Test
  void anotherModelNameDimensionOrInputTypeNeverGetsTheCachedVector() throws IOException {
    InMemoryEmbeddingCache cache = InMemoryEmbeddingCache.withMaxEntries(1000);
    CountingModel a = new CountingModel("remote-a", 8);
    CountingModel b = new CountingModel("remote-b", 8);
    CountingModel wide = new CountingModel("remote-a", 12);
    try (CachedEmbeddingModel ma = CachedEmbeddingModel.builder().delegate(a).cache(cache).build();
        CachedEmbeddingModel mb = CachedEmbeddingModel.builder().delegate(b).cache(cache).build();
        CachedEmbeddingModel mw =
            CachedEmbeddingModel.builder().delegate(wide).cache(cache).build()) {
      float[] va = ma.embed("same text").content().vector();
      float[] vb = mb.embed("same text").content().vector();
      float[] vw = mw.embed("same text").content().vector();
      assertEquals(1, b.calls.get());
      assertEquals(1, wide.calls.get());
      assertFalse(Arrays.equals(va, vb));
      assertEquals(12, vw.length);
      // A delegate that takes no input type refuses one, as it would uncached.
      EmbeddingRequest query =
          EmbeddingRequest.builder().input("same text").inputType(EmbeddingInputType.QUERY).build();
      assertThrows(UnsupportedFeatureException.class, () -> ma.embed(query));
    }
  }

  @Test
  void queriesAreCachedApartWhenTheDelegateTakesAnInputType() throws IOException {
    TypedModel delegate = new TypedModel();
    try (CachedEmbeddingModel model =
        CachedEmbeddingModel.builder()
            .delegate(delegate)
            .cache(InMemoryEmbeddingCache.withMaxEntries(100))
            .build()) {
      float[] doc = model.embed("hello").content().vector();
      EmbeddingRequest query =
          EmbeddingRequest.builder().input("hello").inputType(EmbeddingInputType.QUERY).build();
      float[] q = model.embed(query).embeddings().get(0).vector();
      assertFalse(Arrays.equals(doc, q));
      assertArrayEquals(q, model.embed(query).embeddings().get(0).vector());
      assertEquals(2, delegate.calls.get());
    }
  }

  @Test
  void closedModelRefusesCallsAndBuilderNamesWhatIsMissing() throws IOException {
    CachedEmbeddingModel model =
        CachedEmbeddingModel.builder()
            .delegate(new CountingModel("m", 4))
            .cache(InMemoryEmbeddingCache.withMaxEntries(10))
            .build();
    model.close();
    model.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.embed("x"));
    assertEquals("CachedEmbeddingModel is closed", e.getMessage());
    IllegalStateException noCache =
        assertThrows(
            IllegalStateException.class,
            () -> CachedEmbeddingModel.builder().delegate(new CountingModel("m", 4)).build());
    assertTrue(noCache.getMessage().contains("cacheFolder"), noCache.getMessage());
  }
}
