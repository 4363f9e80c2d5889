package dev.embedstore.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.embed.ExternalModel;
import dev.embedstore.embed.Role;
import dev.embedstore.langchain4j.internal.FilterTranslatorTest;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.VectorStore;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.Seeded;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** EmbedstoreEmbeddingStore on a real Lucene store: filters, exact types, reopening. */
@ExtendWith(Seeded.class)
class EmbedstoreEmbeddingStoreTest {
  private static final int DIM = 8;

  @TempDir Path tmp;

  @Test
  void searchesMatchLangchain4jFiltersExactlyWithExtremes(Random random) throws IOException {
    try (EmbedstoreEmbeddingStore store =
        EmbedstoreEmbeddingStore.builder().folder(tmp.resolve("s")).build()) {
      Map<String, Metadata> byId = new HashMap<>();
      List<String> ids = new ArrayList<>();
      List<Embedding> embeddings = new ArrayList<>();
      List<TextSegment> segments = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        Metadata m = FilterTranslatorTest.randomMetadata(random);
        if (random.nextInt(5) == 0) {
          m.put("x", random.nextBoolean() ? Long.MAX_VALUE - random.nextInt(2) : Long.MIN_VALUE);
        } else if (random.nextInt(4) == 0) {
          m.put("x", random.nextBoolean() ? Long.MAX_VALUE - 1 : Long.MIN_VALUE + 1);
        }
        String id = "doc-" + i;
        ids.add(id);
        embeddings.add(Embedding.from(FakeEmbedder.vectorOf(id, Role.DOCUMENT, DIM)));
        segments.add(TextSegment.from("text " + i, m));
        byId.put(id, m);
      }
      store.addAll(ids, embeddings, segments);
      Embedding query = Embedding.from(FakeEmbedder.vectorOf("q", Role.QUERY, DIM));
      for (int t = 0; t < 150; t++) {
        Filter f =
            random.nextInt(6) == 0
                ? extremeFilter(random)
                : FilterTranslatorTest.randomFilter(random, 2);
        Set<String> expected =
            byId.entrySet().stream()
                .filter(
                    e ->
                        dev.embedstore.langchain4j.internal.FilterReferenceAccess.matches(
                            f, e.getValue()))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        List<EmbeddingMatch<TextSegment>> matches =
            store
                .search(
                    EmbeddingSearchRequest.builder()
                        .queryEmbedding(query)
                        .maxResults(byId.size())
                        .filter(f)
                        .build())
                .matches();
        Set<String> actual =
            matches.stream()
                .map(EmbeddingMatch::embeddingId)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, actual, "filter " + f);
        for (EmbeddingMatch<TextSegment> match : matches) {
          assertEquals(byId.get(match.embeddingId()).toMap(), match.embedded().metadata().toMap());
        }
      }
    }
  }

  private static Filter extremeFilter(Random random) {
    long[] edges = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1};
    long v = edges[random.nextInt(edges.length)];
    var key = dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey("x");
    return switch (random.nextInt(4)) {
      case 0 -> key.isEqualTo(v);
      case 1 -> key.isGreaterThan(v);
      case 2 -> key.isLessThanOrEqualTo(v);
      default -> key.isNotEqualTo(v);
    };
  }

  @Test
  void reopenedFolderGivesBackExactTypesSegmentsAndTheRecordedModel() throws IOException {
    Path folder = tmp.resolve("s");
    Embedding e1 = Embedding.from(FakeEmbedder.vectorOf("1", Role.DOCUMENT, DIM));
    Embedding e2 = Embedding.from(FakeEmbedder.vectorOf("2", Role.DOCUMENT, DIM));
    UUID u = UUID.randomUUID();
    Metadata m =
        new Metadata()
            .put("i", Integer.MIN_VALUE)
            .put("l", Long.MAX_VALUE)
            .put("f", Float.MAX_VALUE)
            .put("d", Double.MIN_VALUE)
            .put("u", u)
            .put("s", " ");
    String id1;
    String id2;
    try (EmbedstoreEmbeddingStore store =
        EmbedstoreEmbeddingStore.builder().folder(folder).modelName("remote/model-x").build()) {
      assertNull(store.vectorStore(), "created with the first embedding");
      id1 = store.add(e1, TextSegment.from("hello", m));
      id2 = store.add(e2);
    }
    try (EmbedstoreEmbeddingStore store =
        EmbedstoreEmbeddingStore.builder().folder(folder).build()) {
      assertEquals("remote/model-x", store.vectorStore().info().modelName());
      List<EmbeddingMatch<TextSegment>> all =
          store
              .search(EmbeddingSearchRequest.builder().queryEmbedding(e1).maxResults(10).build())
              .matches();
      assertEquals(2, all.size());
      assertEquals(id1, all.get(0).embeddingId());
      assertEquals(1.0, all.get(0).score(), 1e-6);
      assertEquals(e1, all.get(0).embedding());
      assertEquals(m.toMap(), all.get(0).embedded().metadata().toMap());
      assertEquals(Integer.class, all.get(0).embedded().metadata().toMap().get("i").getClass());
      assertEquals(Float.class, all.get(0).embedded().metadata().toMap().get("f").getClass());
      assertEquals(id2, all.get(1).embeddingId());
      assertNull(all.get(1).embedded());
      // minScore applies to the relevance score, (cos + 1) / 2.
      double second = all.get(1).score();
      assertEquals(
          1,
          store
              .search(
                  EmbeddingSearchRequest.builder()
                      .queryEmbedding(e1)
                      .maxResults(10)
                      .minScore(second + 1e-6)
                      .build())
              .matches()
              .size());
    }
    assertThrows(
        StoreMismatchException.class,
        () -> EmbedstoreEmbeddingStore.builder().folder(folder).modelName("another").build());
  }

  @Test
  void aGivenStoreStaysOpenAndRefusesAWrongDimension() throws IOException {
    try (VectorStore vs = LuceneVectorStore.open(tmp.resolve("v"), ExternalModel.of("m", DIM))) {
      EmbedstoreEmbeddingStore store = EmbedstoreEmbeddingStore.builder().store(vs).build();
      store.add(Embedding.from(FakeEmbedder.vectorOf("a", Role.DOCUMENT, DIM)));
      assertThrows(
          IllegalArgumentException.class,
          () -> store.add(Embedding.from(FakeEmbedder.vectorOf("a", Role.DOCUMENT, DIM + 1))));
      store.close();
      assertEquals(1, vs.count());
      IllegalStateException closed =
          assertThrows(
              IllegalStateException.class, () -> store.add(Embedding.from(new float[DIM])));
      assertTrue(closed.getMessage().contains("EmbedstoreEmbeddingStore is closed"));
    }
  }
}
