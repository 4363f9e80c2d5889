/**
 * Retrieval evaluation as BEIR and MTEB do it: relevance judgements and the nDCG, recall and MRR of
 * a ranked run.
 *
 * <pre>{@code
 * Qrels qrels = Qrels.readTsv(Path.of("scifact/qrels/test.tsv"));
 * RetrievalMetrics.Scores s = RetrievalMetrics.score(qrels, Map.of("1", List.of("31715818", "4983")));
 * System.out.println(s.ndcgAt10());
 * }</pre>
 */
package dev.embedstore.eval;
