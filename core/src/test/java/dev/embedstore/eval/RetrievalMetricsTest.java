package dev.embedstore.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalMetricsTest {
  static final double EPS = 1e-12;

  @Test
  void ndcgMatchesHandComputedValues() {
    // Relevant: a (2), b (1). Ranked: x, a, b. DCG = 2/log2(3) + 1/log2(4); IDCG = 2/1 + 1/log2(3).
    Map<String, Integer> rel = Map.of("a", 2, "b", 1);
    double dcg = 2 / (Math.log(3) / Math.log(2)) + 1 / 2.0;
    double idcg = 2 + 1 / (Math.log(3) / Math.log(2));
    assertEquals(dcg / idcg, RetrievalMetrics.ndcg(rel, List.of("x", "a", "b"), 10), EPS);
    assertEquals(1.0, RetrievalMetrics.ndcg(rel, List.of("a", "b", "x"), 10), EPS);
    assertEquals(0.0, RetrievalMetrics.ndcg(rel, List.of("x", "y", "a"), 2), EPS);
    assertEquals(0.0, RetrievalMetrics.ndcg(rel, List.of(), 10), EPS);
  }

  @Test
  void recallAndReciprocalRank() {
    Map<String, Integer> rel = Map.of("a", 1, "b", 1, "c", 1, "d", 1);
    assertEquals(0.5, RetrievalMetrics.recall(rel, List.of("a", "x", "c"), 100), EPS);
    assertEquals(0.25, RetrievalMetrics.recall(rel, List.of("a", "x", "c"), 2), EPS);
    assertEquals(1.0 / 3, RetrievalMetrics.reciprocalRank(rel, List.of("x", "y", "b"), 10), EPS);
    assertEquals(0.0, RetrievalMetrics.reciprocalRank(rel, List.of("x", "y", "b"), 2), EPS);
  }

  @Test
  void scoreAveragesOverJudgedQueriesOnly(@TempDir Path dir) throws IOException {
    Path tsv =
        Files.writeString(
            dir.resolve("test.tsv"),
            "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq2\td3\t1\nq3\td9\t0\n");
    Qrels qrels = Qrels.readTsv(tsv);
    assertEquals(2, qrels.queries(), "a judgement of 0 is not a relevant document");
    RetrievalMetrics.Scores s =
        RetrievalMetrics.score(
            qrels,
            Map.of("q1", List.of("d1"), "q2", List.of("x", "d3"), "unjudged", List.of("d1")));
    assertEquals(2, s.queries());
    assertEquals((1.0 + 0.5) / 2, s.mrrAt10(), EPS);
    assertEquals((1.0 + 0.5) / 2, s.recallAt100(), EPS);
    assertTrue(s.ndcgAt10() > 0 && s.ndcgAt10() < 1);
  }

  @Test
  void malformedQrelsNameTheLine(@TempDir Path dir) throws IOException {
    Path tsv = Files.writeString(dir.resolve("bad.tsv"), "query-id\tcorpus-id\tscore\nq1 d1 1\n");
    IOException e = assertThrows(IOException.class, () -> Qrels.readTsv(tsv));
    assertTrue(e.getMessage().contains("bad.tsv:2"), e.getMessage());
  }
}
