package dev.embedstore.solr.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.solr.client.solrj.util.ClientUtils;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * The Solr requests behind the store's search modes. Each returns documents, not chunks: the chunks
 * of a document share a shard, so Solr's collapse filter keeps each document's best chunk on its
 * shard and {@code rows} counts documents.
 *
 * <ul>
 *   <li>vector: {@code {!knn}} on the HNSW field with the filter as {@code fq}, which Solr applies
 *       before the graph search (a pre-filter). Solr's {@code topK} is per shard: each shard
 *       returns its own {@code topK} nearest chunks, and the best {@code k} documents of their
 *       union come back, so asking every shard for {@code k × oversample} finds at least what one
 *       graph of the whole collection would;
 *   <li>exact: the {@code vectorSimilarity} function scores every chunk the filter lets through;
 *   <li>keyword: BM25 over text and title (edismax, each word of the query a literal term).
 * </ul>
 *
 * <p>Searches fetch the hits' stored fields in the same round trip as their scores ({@code
 * distrib.singlePass}), and vector searches skip the distributed term statistics that only BM25
 * needs ({@code distrib.statsCache=false}).
 *
 * <p>Vector scores are Lucene's dot-product scores, {@code (1 + cos) / 2}; {@link Hit#score} is the
 * cosine. Thread-safe.
 */
public final class Searches {
  private static final String FIELDS =
      Fields.ID + "," + Fields.ORDINAL + "," + Fields.VECTOR_KEY + "," + Fields.BODY + ",score";
  private static final String COLLAPSE = "{!collapse field=" + Fields.DOC_KEY + "}";
  private static final int RRF_K = 60;

  private final Cluster cluster;

  /**
   * Searches a collection.
   *
   * @param cluster the collection
   */
  public Searches(Cluster cluster) {
    this.cluster = cluster;
  }

  /**
   * A document found: its best chunk.
   *
   * @param ordinal the chunk's ordinal
   * @param score the cosine (vector modes) or BM25 score
   * @param vectorKey the chunk's cache key, hex
   * @param body the chunk's stored body
   */
  public record Hit(int ordinal, float score, String vectorKey, ChunkBody body) {}

  /**
   * The approximate nearest documents.
   *
   * @param unitQuery the unit-length query vector
   * @param k documents wanted
   * @param topK candidates per shard, at least k
   * @param filter the filter query, or null
   * @return up to k documents, best first
   * @throws IOException naming the collection
   */
  public List<Hit> vector(float[] unitQuery, int k, int topK, String filter) throws IOException {
    ModifiableSolrParams p = base(k, filter);
    p.set("q", "{!knn f=" + Fields.VECTOR + " topK=" + topK + " v=$qv}");
    p.set("qv", vectorText(unitQuery));
    p.set("distrib.statsCache", false); // no term statistics in a vector score
    return run("vector search", p, true);
  }

  /**
   * The exact nearest documents: every matching chunk scored.
   *
   * @param unitQuery the unit-length query vector
   * @param k documents wanted
   * @param filter the filter query, or null
   * @return up to k documents, best first
   * @throws IOException naming the collection
   */
  public List<Hit> exact(float[] unitQuery, int k, String filter) throws IOException {
    ModifiableSolrParams p = base(k, filter);
    p.set("q", "{!func}vectorSimilarity(" + Fields.VECTOR + ",$qv)");
    p.set("qv", vectorText(unitQuery));
    p.add("fq", Fields.KIND + ":" + Fields.KIND_CHUNK);
    p.set("distrib.statsCache", false);
    return run("exact vector search", p, true);
  }

  /**
   * The best documents by BM25 over text and title.
   *
   * @param query the query text; its words are terms, never query syntax
   * @param k documents wanted
   * @param filter the filter query, or null
   * @return up to k documents, best first; none when the query has no words
   * @throws IOException naming the collection
   */
  public List<Hit> keyword(String query, int k, String filter) throws IOException {
    String words = literalWords(query);
    if (words.isEmpty()) {
      return List.of();
    }
    ModifiableSolrParams p = base(k, filter);
    p.set(
        "q",
        "{!edismax qf='"
            + Fields.TEXT
            + " "
            + Fields.TITLE
            + "' q.op=OR tie=1.0 sow=true mm=0 v=$kq}");
    p.set("kq", words);
    return run("keyword search", p, false);
  }

  /**
   * A query text as words of the standard syntax that are only ever terms: every special character
   * escaped, and the operator words lower-cased (the analyzer lower-cases them anyway).
   *
   * @param query the text
   * @return the words, space-separated; empty when there are none
   */
  public static String literalWords(String query) {
    StringBuilder b = new StringBuilder();
    for (String w : query.strip().split("\\s+")) {
      if (w.isEmpty()) {
        continue;
      }
      if (w.equals("AND") || w.equals("OR") || w.equals("NOT") || w.equals("TO")) {
        w = w.toLowerCase(Locale.ROOT);
      }
      b.append(b.length() == 0 ? "" : " ").append(ClientUtils.escapeQueryChars(w));
    }
    return b.toString();
  }

  /**
   * Fuses two rankings by reciprocal-rank fusion: each document scores the sum of {@code 1 / (60 +
   * rank)} over the rankings it is in (ties broken by id), as the local store's hybrid mode does.
   *
   * @param vector the vector search's documents, best first
   * @param keyword the keyword search's documents, best first
   * @param k documents wanted
   * @return up to k documents, best first, each with its fused score and the chunk of its first
   *     ranking
   */
  public static List<Hit> fuse(List<Hit> vector, List<Hit> keyword, int k) {
    Map<String, Float> fused = new HashMap<>();
    Map<String, Hit> hitOf = new HashMap<>();
    for (List<Hit> list : List.of(vector, keyword)) {
      for (int rank = 0; rank < list.size(); rank++) {
        Hit h = list.get(rank);
        fused.merge(h.body().id(), 1f / (RRF_K + rank + 1), Float::sum);
        hitOf.putIfAbsent(h.body().id(), h);
      }
    }
    List<Map.Entry<String, Float>> order = new ArrayList<>(fused.entrySet());
    order.sort(
        (a, b) ->
            !a.getValue().equals(b.getValue())
                ? Float.compare(b.getValue(), a.getValue())
                : a.getKey().compareTo(b.getKey()));
    List<Hit> out = new ArrayList<>(k);
    for (Map.Entry<String, Float> e : order) {
      if (out.size() == k) {
        break;
      }
      Hit h = hitOf.get(e.getKey());
      out.add(new Hit(h.ordinal(), e.getValue(), h.vectorKey(), h.body()));
    }
    return out;
  }

  private static ModifiableSolrParams base(int k, String filter) {
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set("rows", k);
    p.set("fl", FIELDS);
    p.set("q.op", "OR");
    // The stored fields come with the first phase: one round trip to the shards, not two.
    p.set("distrib.singlePass", true);
    if (filter != null) {
      p.add("fq", filter);
    }
    p.add("fq", COLLAPSE);
    return p;
  }

  /** A vector as the knn parser reads it; Float.toString round-trips every float exactly. */
  private static String vectorText(float[] v) {
    StringBuilder b = new StringBuilder(v.length * 12).append('[');
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ",").append(v[i]);
    }
    return b.append(']').toString();
  }

  private List<Hit> run(String what, ModifiableSolrParams p, boolean cosine) throws IOException {
    List<Hit> out = new ArrayList<>();
    for (SolrDocument d : cluster.query(what, p).getResults()) {
      float score = ((Number) d.getFirstValue("score")).floatValue();
      out.add(
          new Hit(
              ((Number) d.getFirstValue(Fields.ORDINAL)).intValue(),
              cosine ? 2 * score - 1 : score,
              (String) d.getFirstValue(Fields.VECTOR_KEY),
              ChunkBody.decode((byte[]) d.getFirstValue(Fields.BODY))));
    }
    return out;
  }
}
