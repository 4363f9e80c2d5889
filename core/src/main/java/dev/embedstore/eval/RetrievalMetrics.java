package dev.embedstore.eval;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ranking quality as BEIR and MTEB report it (they use {@code pytrec_eval}, i.e. trec_eval): nDCG@k
 * with the judged relevance as gain and {@code log2(rank + 1)} discount, recall@k, and MRR@k. Each
 * metric is the mean over the judged queries; a judged query with no results scores 0.
 *
 * <p>Stateless and thread-safe.
 */
public final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /**
   * The mean scores of a run.
   *
   * @param ndcgAt10 mean nDCG@10
   * @param recallAt100 mean recall@100
   * @param mrrAt10 mean MRR@10
   * @param queries the number of judged queries averaged over
   */
  public record Scores(double ndcgAt10, double recallAt100, double mrrAt10, int queries) {}

  /**
   * Scores ranked results against judgements.
   *
   * @param qrels the judgements; only queries judged there count
   * @param results query id → document ids, best first
   * @return the mean scores
   */
  public static Scores score(Qrels qrels, Map<String, List<String>> results) {
    Objects.requireNonNull(qrels, "qrels");
    Objects.requireNonNull(results, "results");
    double ndcg = 0;
    double recall = 0;
    double mrr = 0;
    for (Map.Entry<String, Map<String, Integer>> q : qrels.judgements().entrySet()) {
      List<String> ranked = results.getOrDefault(q.getKey(), List.of());
      ndcg += ndcg(q.getValue(), ranked, 10);
      recall += recall(q.getValue(), ranked, 100);
      mrr += reciprocalRank(q.getValue(), ranked, 10);
    }
    int n = qrels.queries();
    return n == 0 ? new Scores(0, 0, 0, 0) : new Scores(ndcg / n, recall / n, mrr / n, n);
  }

  /**
   * nDCG@k of one query.
   *
   * @param relevant document id → relevance (positive)
   * @param ranked document ids, best first
   * @param k the cut-off
   * @return the score in [0, 1]
   */
  public static double ndcg(Map<String, Integer> relevant, List<String> ranked, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      Integer rel = relevant.get(ranked.get(i));
      if (rel != null) {
        dcg += rel / log2(i + 2);
      }
    }
    int[] ideal = relevant.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    double idcg = 0;
    for (int i = 0; i < Math.min(k, ideal.length); i++) {
      idcg += ideal[ideal.length - 1 - i] / log2(i + 2);
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  /**
   * Recall@k of one query.
   *
   * @param relevant document id → relevance (positive)
   * @param ranked document ids, best first
   * @param k the cut-off
   * @return the fraction of relevant documents in the first k
   */
  public static double recall(Map<String, Integer> relevant, List<String> ranked, int k) {
    if (relevant.isEmpty()) {
      return 0;
    }
    int found = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (relevant.containsKey(ranked.get(i))) {
        found++;
      }
    }
    return (double) found / relevant.size();
  }

  /**
   * Reciprocal rank of the first relevant document within the first k, 0 when there is none.
   *
   * @param relevant document id → relevance (positive)
   * @param ranked document ids, best first
   * @param k the cut-off
   * @return 1 / rank, or 0
   */
  public static double reciprocalRank(Map<String, Integer> relevant, List<String> ranked, int k) {
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (relevant.containsKey(ranked.get(i))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
