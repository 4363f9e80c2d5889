package dev.embedstore.springai.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.embed.ExternalModel;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.springai.ConstantEmbeddingModel;
import dev.embedstore.springai.EmbedstoreVectorStore;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.testing.Seeded;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Value;

/**
 * Brute force: Spring AI filters mean the same in an Embedstore store as in Spring AI's own
 * reference store, {@code SimpleVectorStore}, given the same documents: checked on the translated
 * filter with the store's reference semantics ({@link FilterOracle}) and on a real Lucene store.
 */
@ExtendWith(Seeded.class)
class SpringAiFiltersTest {
  @TempDir Path tmp;

  @Test
  void agreesWithSimpleVectorStore(Random random) throws IOException {
    ConstantEmbeddingModel model = new ConstantEmbeddingModel();
    SimpleVectorStore reference = SimpleVectorStore.builder(model).build();
    List<Document> docs = new ArrayList<>();
    Map<String, Map<String, Object>> byId = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      Map<String, Object> m = FilterOracle.metadata(random, i);
      m.remove(
          "tags"); // Spring AI gives lists no meaning: its in-memory store cannot compare them.
      if (random.nextInt(4) == 0) {
        m.remove("year");
      }
      if (random.nextInt(5) == 0) {
        m.put("day", random.nextBoolean() ? "2024-05-01T00:00:00Z" : "2025-01-31T12:00:00Z");
      }
      Document d = new Document("doc-" + i, "text " + i, m);
      docs.add(d);
      byId.put(d.getId(), m);
    }
    reference.add(docs);
    try (LuceneVectorStore store =
        LuceneVectorStore.open(tmp.resolve("s"), ExternalModel.of("constant", 4))) {
      EmbedstoreVectorStore ours = EmbedstoreVectorStore.builder(store, model).build();
      ours.add(docs);
      int checked = 0;
      int skipped = 0;
      int selective = 0;
      for (int t = 0; t < 600; t++) {
        Expression e = randomExpression(random, 3);
        Set<String> expected;
        try {
          expected = ids(reference.similaritySearch(request(e, docs.size())));
        } catch (IllegalArgumentException incomparable) {
          skipped++; // Spring AI's in-memory store throws on values it cannot compare.
          continue;
        }
        dev.embedstore.store.Filter translated = SpringAiFilters.translate(e);
        Set<String> oracle =
            byId.entrySet().stream()
                .filter(
                    x ->
                        FilterOracle.matches(
                            translated,
                            new dev.embedstore.store.Document(x.getKey(), "", null, x.getValue())))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, oracle, e + " -> " + translated);
        assertEquals(expected, ids(ours.similaritySearch(request(e, docs.size()))), e.toString());
        checked++;
        selective += expected.isEmpty() || expected.size() == docs.size() ? 0 : 1;
      }
      assertTrue(skipped < checked / 10, "skipped " + skipped + " of " + (checked + skipped));
      // The filters are not degenerate: most keep some documents and drop others.
      assertTrue(selective > checked / 2, selective + " of " + checked + " selective");
    }
  }

  @Test
  void textExpressionsAgreeWithSimpleVectorStore() throws IOException {
    ConstantEmbeddingModel model = new ConstantEmbeddingModel();
    SimpleVectorStore reference = SimpleVectorStore.builder(model).build();
    List<Document> docs =
        List.of(
            new Document("a", "x", Map.of("country", "BG", "year", 2020, "open", true)),
            new Document("b", "x", Map.of("country", "NL", "rating", 4.5)),
            new Document("c", "x", Map.of("country", "BG", "year", 2023, "open", false)),
            new Document("d", "x", Map.of("year", 2024L, "city", "Sofia")));
    reference.add(docs);
    try (LuceneVectorStore store =
        LuceneVectorStore.open(tmp.resolve("t"), ExternalModel.of("constant", 4))) {
      EmbedstoreVectorStore ours = EmbedstoreVectorStore.builder(store, model).build();
      ours.add(docs);
      for (String text :
          List.of(
              "country == 'BG'",
              "country != 'BG'",
              "year > 2020",
              "year >= 2020 && country == 'BG'",
              "year < 2023",
              "year <= 2023 || rating > 4",
              "country IN ['BG', 'NL']",
              "country NIN ['BG']",
              "country NOT IN ['NL']",
              "NOT (country == 'BG')",
              "year IS NULL",
              "year IS NOT NULL",
              "open == true",
              "open < true",
              "'country' == 'NL'",
              "rating >= 4.5",
              "year == 2024L",
              "(year > 2019 && year < 2024) || city == 'Sofia'")) {
        SearchRequest r =
            SearchRequest.builder()
                .query("x")
                .topK(10)
                .similarityThresholdAll()
                .filterExpression(text)
                .build();
        assertEquals(ids(reference.similaritySearch(r)), ids(ours.similaritySearch(r)), text);
      }
      ours.delete("country == 'BG'");
      assertEquals(
          Set.of("b", "d"),
          ids(ours.similaritySearch(SearchRequest.builder().query("x").topK(10).build())));
    }
  }

  @Test
  void datesCompareAsSpringAiStoresThem() {
    Expression e =
        new Expression(ExpressionType.GTE, new Key("day"), new Value(new Date(1714521600000L)));
    assertEquals(
        new dev.embedstore.store.Filter.Range("day", "2024-05-01T00:00:00Z", true, null, false),
        SpringAiFilters.translate(e));
  }

  private static SearchRequest request(Expression e, int k) {
    return SearchRequest.builder()
        .query("x")
        .topK(k)
        .similarityThresholdAll()
        .filterExpression(e)
        .build();
  }

  private static Set<String> ids(List<Document> docs) {
    return docs.stream().map(Document::getId).collect(Collectors.toCollection(TreeSet::new));
  }

  static Expression randomExpression(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 14 : 11);
    String key =
        new String[] {"tag", "year", "score", "even", "opt", "missing", "day"}[random.nextInt(7)];
    return switch (kind) {
      case 0 -> cmp(ExpressionType.EQ, key, value(random, key));
      case 1 -> cmp(ExpressionType.NE, key, value(random, key));
      case 2 -> cmp(ExpressionType.GT, key, value(random, key));
      case 3 -> cmp(ExpressionType.GTE, key, value(random, key));
      case 4 -> cmp(ExpressionType.LT, key, value(random, key));
      case 5 -> cmp(ExpressionType.LTE, key, value(random, key));
      case 6 -> cmp(ExpressionType.IN, key, List.of(value(random, key), value(random, key)));
      case 7 -> cmp(ExpressionType.NIN, key, List.of(value(random, key)));
      case 8 -> new Expression(ExpressionType.ISNULL, new Key(key));
      case 9 -> new Expression(ExpressionType.ISNOTNULL, new Key(key));
      case 10 -> cmp(ExpressionType.EQ, "'" + key + "'", value(random, key));
      case 11 ->
          new Expression(ExpressionType.NOT, new Filter.Group(randomExpression(random, depth - 1)));
      case 12 ->
          new Expression(
              ExpressionType.AND,
              randomExpression(random, depth - 1),
              randomExpression(random, depth - 1));
      default ->
          new Expression(
              ExpressionType.OR,
              randomExpression(random, depth - 1),
              randomExpression(random, depth - 1));
    };
  }

  private static Expression cmp(ExpressionType type, String key, Object value) {
    return new Expression(type, new Key(key), new Value(value));
  }

  /** A value of the key's type (numbers of any numeric type), as Spring AI can compare it. */
  private static Object value(Random random, String key) {
    return switch (key) {
      case "tag" -> "t" + random.nextInt(6);
      case "opt" -> "o" + random.nextInt(4);
      case "year" ->
          switch (random.nextInt(3)) {
            case 0 -> 2000 + random.nextInt(26);
            case 1 -> (long) (2000 + random.nextInt(26));
            default -> 2000 + random.nextInt(26) + 0.5;
          };
      case "score" ->
          random.nextBoolean()
              ? random.nextInt(100)
              : Math.round(random.nextDouble() * 1000) / 10.0;
      case "even" -> random.nextBoolean();
      case "day" -> random.nextBoolean() ? "2024-05-01T00:00:00Z" : "2024-12-31T00:00:00Z";
      default -> random.nextBoolean() ? "x" : 3;
    };
  }
}
