package dev.embedstore.lucene.internal;

import dev.embedstore.cache.CacheKey;
import dev.embedstore.cache.CachedEmbedder;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.Role;
import dev.embedstore.store.Document;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.spi.Vectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * The Lucene store's reads: the four search modes, folding chunk hits to documents, {@code get},
 * {@code ids} and counts.
 *
 * <ul>
 *   <li>{@code VECTOR}: {@link KnnFloatVectorQuery} with the pre-filter and {@code k' = k ×
 *       oversample} candidates per segment;
 *   <li>{@code EXACT}: every (matching) vector scored, for measuring recall;
 *   <li>{@code KEYWORD}: BM25 over text and title;
 *   <li>{@code HYBRID}: both, fused by reciprocal-rank fusion ({@value #RRF_K}).
 * </ul>
 *
 * Vector scores are cosines: Lucene's dot-product score {@code (1 + dot) / 2} of unit vectors,
 * turned back. Thread-safe.
 */
public final class StoreSearcher {
  private static final int RRF_K = 60;
  private static final Set<String> ID_ONLY = Set.of(Fields.ID);

  private final StoreIndex index;
  private final MetadataSchema schema;
  private final CachedEmbedder embedder;
  private final Embedder model;

  /**
   * Creates the reads of a store.
   *
   * @param index the store's index
   * @param schema its metadata schema
   * @param embedder embeds query texts through the cache
   * @param model the store's model (its dimension checks query vectors)
   */
  public StoreSearcher(
      StoreIndex index, MetadataSchema schema, CachedEmbedder embedder, Embedder model) {
    this.index = index;
    this.schema = schema;
    this.embedder = embedder;
    this.model = model;
  }

  private record Ranked(int doc, float score) {}

  /**
   * How many hits to ask Lucene for: k times the oversampling, without overflowing, and at most the
   * index's document count (at least 1).
   */
  static int fetchCount(int k, int oversample, int maxDoc) {
    return (int) Math.max(1, Math.min((long) k * oversample, maxDoc));
  }

  /**
   * Runs a search on the searcher as of the last commit or refresh.
   *
   * @param request the request
   * @return the hits
   * @throws IOException if the index or the model fails
   */
  public List<SearchHit> search(SearchRequest request) throws IOException {
    Query filter = request.filter() == null ? null : schema.toQuery(request.filter());
    IndexSearcher s = index.acquire();
    try {
      // No more than the index holds: Lucene sizes its queues by the count asked for, so a k of
      // millions on a small store would allocate (and time out or run out of memory) for nothing.
      int fetch = fetchCount(request.k(), request.oversample(), s.getIndexReader().maxDoc());
      LinkedHashMap<String, Ranked> ranked =
          switch (request.mode()) {
            case VECTOR -> vector(s, queryVector(request), filter, fetch);
            case EXACT -> exact(s, queryVector(request), filter, fetch);
            case KEYWORD -> fold(s, s.search(keyword(request.query(), filter), fetch), false);
            case HYBRID -> hybrid(s, request, filter, Math.max(fetch, 100));
          };
      List<StoredChunk> chunks = new ArrayList<>(ranked.size());
      List<Ranked> order = new ArrayList<>(ranked.size());
      StoredFields stored = s.storedFields();
      for (Ranked r : ranked.values()) {
        if (chunks.size() == request.k()) {
          break;
        }
        chunks.add(StoredChunk.of(stored.document(r.doc())));
        order.add(r);
      }
      float[][] vectors =
          request.includeVectors() ? vectorsOf(s, chunks) : new float[chunks.size()][];
      List<SearchHit> hits = new ArrayList<>(chunks.size());
      for (int i = 0; i < chunks.size(); i++) {
        StoredChunk c = chunks.get(i);
        hits.add(
            new SearchHit(
                c.id(),
                order.get(i).score(),
                c.ordinal(),
                c.text(),
                c.title(),
                c.metadata(),
                vectors[i]));
      }
      return hits;
    } finally {
      index.release(s);
    }
  }

  /** The cached vectors of chunks, by their keys, bit-exact as embedded or given. */
  private static float[][] vectorsOf(IndexSearcher s, List<StoredChunk> chunks) throws IOException {
    List<CacheKey> keys = new ArrayList<>(chunks.size());
    for (StoredChunk c : chunks) {
      keys.add(CacheKey.ofBytes(c.vkey(), 0));
    }
    return CacheReads.lookup(s.getIndexReader(), keys);
  }

  private float[] queryVector(SearchRequest request) throws IOException {
    float[] v = request.vector();
    if (v == null) {
      return embedder.embed(List.of(request.query()), Role.QUERY).get(0);
    }
    Vectors.checkDimension("the query vector", v, model.dimension(), model.modelName());
    return Vectors.unitLength(v);
  }

  private static LinkedHashMap<String, Ranked> vector(
      IndexSearcher s, float[] q, Query filter, int fetch) throws IOException {
    TopDocs top = s.search(new KnnFloatVectorQuery(Fields.VECTOR, q, fetch, filter), fetch);
    return fold(s, top, true);
  }

  /** Keeps each document's best chunk, in rank order; vector scores become cosines. */
  private static LinkedHashMap<String, Ranked> fold(IndexSearcher s, TopDocs top, boolean cosine)
      throws IOException {
    ScoreDoc[] hits = top.scoreDocs;
    // Resolve ids in doc-id order: doc values iterators only move forward, and a fresh one per
    // backward step costs more than the kNN search itself.
    Integer[] byDoc = new Integer[hits.length];
    for (int i = 0; i < hits.length; i++) {
      byDoc[i] = i;
    }
    Arrays.sort(byDoc, Comparator.comparingInt(i -> hits[i].doc));
    String[] ids = new String[hits.length];
    DocumentIds resolver = new DocumentIds(s);
    for (int i : byDoc) {
      ids[i] = resolver.of(hits[i].doc);
    }
    LinkedHashMap<String, Ranked> out = new LinkedHashMap<>();
    for (int i = 0; i < hits.length; i++) {
      float score = cosine ? 2 * hits[i].score - 1 : hits[i].score;
      out.putIfAbsent(ids[i], new Ranked(hits[i].doc, score));
    }
    return out;
  }

  /**
   * Reads chunks' document ids from doc values: a stored-fields read would decompress a whole block
   * (cache entries' vectors included) per hit. Segments written before the ids had doc values fall
   * back to stored fields. Not thread-safe; one per search.
   */
  static final class DocumentIds {
    private final IndexSearcher searcher;
    private final List<LeafReaderContext> leaves;
    private final SortedDocValues[] values;
    private StoredFields stored;

    DocumentIds(IndexSearcher searcher) {
      this.searcher = searcher;
      this.leaves = searcher.getIndexReader().leaves();
      this.values = new SortedDocValues[leaves.size()];
    }

    String of(int doc) throws IOException {
      int i = ReaderUtil.subIndex(doc, leaves);
      LeafReaderContext leaf = leaves.get(i);
      // A SortedDocValues iterator only moves forward: take a fresh one when going back.
      if (values[i] == null || values[i].docID() > doc - leaf.docBase) {
        values[i] = leaf.reader().getSortedDocValues(Fields.ID_VALUES);
      }
      SortedDocValues v = values[i];
      if (v != null && v.advanceExact(doc - leaf.docBase)) {
        return v.lookupOrd(v.ordValue()).utf8ToString();
      }
      if (stored == null) {
        stored = searcher.storedFields();
      }
      return stored.document(doc, ID_ONLY).get(Fields.ID);
    }
  }

  private static LinkedHashMap<String, Ranked> exact(
      IndexSearcher s, float[] q, Query filter, int fetch) throws IOException {
    Weight w =
        filter == null ? null : s.createWeight(s.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    PriorityQueue<ScoreDoc> heap =
        new PriorityQueue<>(Comparator.comparingDouble((ScoreDoc d) -> d.score));
    for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(Fields.VECTOR);
      if (values == null) {
        continue;
      }
      DocIdSetIterator allowed = null;
      if (w != null) {
        ScorerSupplier ss = w.scorerSupplier(leaf);
        if (ss == null) {
          continue;
        }
        Scorer scorer = ss.get(Long.MAX_VALUE);
        allowed = scorer.iterator();
      }
      Bits live = leaf.reader().getLiveDocs();
      KnnVectorValues.DocIndexIterator it = values.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (allowed != null) {
          if (allowed.docID() < doc) {
            allowed.advance(doc);
          }
          if (allowed.docID() != doc) {
            continue;
          }
        }
        // Lucene's own dot-product score, so that EXACT and VECTOR scores agree.
        float score =
            VectorSimilarityFunction.DOT_PRODUCT.compare(q, values.vectorValue(it.index()));
        if (heap.size() < fetch) {
          heap.add(new ScoreDoc(leaf.docBase + doc, score));
        } else if (score > heap.peek().score) {
          heap.poll();
          heap.add(new ScoreDoc(leaf.docBase + doc, score));
        }
      }
    }
    ScoreDoc[] sorted = heap.toArray(ScoreDoc[]::new);
    Arrays.sort(
        sorted,
        (a, b) ->
            a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return fold(s, new TopDocs(null, sorted), true);
  }

  private static Query keyword(String query, Query filter) throws IOException {
    BooleanQuery.Builder terms = new BooleanQuery.Builder();
    int n = 0;
    try (Analyzer analyzer = new StandardAnalyzer();
        TokenStream ts = analyzer.tokenStream(Fields.TEXT, query)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      Set<String> seen = new HashSet<>();
      while (ts.incrementToken()) {
        String t = term.toString();
        if (seen.add(t) && n < IndexSearcher.getMaxClauseCount() / 2 - 1) {
          terms.add(new org.apache.lucene.search.TermQuery(new Term(Fields.TEXT, t)), Occur.SHOULD);
          terms.add(
              new org.apache.lucene.search.TermQuery(new Term(Fields.TITLE, t)), Occur.SHOULD);
          n++;
        }
      }
      ts.end();
    }
    if (n == 0) {
      return new MatchNoDocsQuery("the query has no terms");
    }
    BooleanQuery.Builder q = new BooleanQuery.Builder().add(terms.build(), Occur.MUST);
    if (filter != null) {
      q.add(filter, Occur.FILTER);
    }
    return q.build();
  }

  private LinkedHashMap<String, Ranked> hybrid(
      IndexSearcher s, SearchRequest request, Query filter, int fetch) throws IOException {
    LinkedHashMap<String, Ranked> v = vector(s, queryVector(request), filter, fetch);
    LinkedHashMap<String, Ranked> k =
        fold(s, s.search(keyword(request.query(), filter), fetch), false);
    Map<String, Float> fused = new HashMap<>();
    Map<String, Integer> docOf = new HashMap<>();
    for (LinkedHashMap<String, Ranked> list : List.of(v, k)) {
      int rank = 0;
      for (Map.Entry<String, Ranked> e : list.entrySet()) {
        rank++;
        fused.merge(e.getKey(), 1f / (RRF_K + rank), Float::sum);
        docOf.putIfAbsent(e.getKey(), e.getValue().doc());
      }
    }
    List<Map.Entry<String, Float>> order = new ArrayList<>(fused.entrySet());
    order.sort(
        (a, b) ->
            !a.getValue().equals(b.getValue())
                ? Float.compare(b.getValue(), a.getValue())
                : a.getKey().compareTo(b.getKey()));
    LinkedHashMap<String, Ranked> out = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : order) {
      out.put(e.getKey(), new Ranked(docOf.get(e.getKey()), e.getValue()));
    }
    return out;
  }

  /**
   * The stored document with an id, as of every write so far.
   *
   * @param id the id
   * @return the document (with its vector when it is one chunk), or empty
   * @throws IOException if the index fails
   */
  public Optional<Document> get(String id) throws IOException {
    IndexSearcher s = index.acquireCurrent();
    try {
      int head = LuceneStoreWriter.headOf(s, id);
      if (head < 0) {
        return Optional.empty();
      }
      StoredChunk c = StoredChunk.of(s.storedFields().document(head));
      float[] v = c.chunks() == 1 ? vectorsOf(s, List.of(c))[0] : null;
      return Optional.of(
          new Document(
              c.id(), c.source() != null ? c.source() : c.text(), c.title(), c.metadata(), v));
    } finally {
      index.release(s);
    }
  }

  /**
   * Counts the chunks a query matches, as of every write so far.
   *
   * @param q the query
   * @return the count
   * @throws IOException if the index fails
   */
  public long count(Query q) throws IOException {
    IndexSearcher s = index.acquireCurrent();
    try {
      return s.count(q);
    } finally {
      index.release(s);
    }
  }

  /**
   * Streams the ids of the documents whose first chunk a query matches, from one point-in-time
   * searcher that the stream holds until it is closed. Ids come per segment in doc-id order, so a
   * doc-values iterator reads them in one forward pass.
   *
   * @param match the documents (null: all)
   * @return the ids; close the stream
   * @throws IOException if the index fails
   */
  public Stream<String> ids(Query match) throws IOException {
    BooleanQuery.Builder b = new BooleanQuery.Builder().add(LuceneStoreWriter.HEADS, Occur.FILTER);
    if (match != null) {
      b.add(match, Occur.FILTER);
    }
    IndexSearcher s = index.acquireCurrent();
    boolean success = false;
    try {
      Weight w = s.createWeight(s.rewrite(b.build()), ScoreMode.COMPLETE_NO_SCORES, 1f);
      IdIterator it = new IdIterator(s, w);
      Stream<String> out =
          StreamSupport.stream(
                  Spliterators.spliteratorUnknownSize(
                      it, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
                  false)
              .onClose(
                  () -> {
                    try {
                      index.release(s);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
      success = true;
      return out;
    } finally {
      if (!success) {
        index.release(s);
      }
    }
  }

  /** Walks the matching heads segment by segment. */
  private static final class IdIterator implements Iterator<String> {
    private final Weight weight;
    private final List<LeafReaderContext> leaves;
    private final DocumentIds ids;
    private int leaf = -1;
    private DocIdSetIterator docs;
    private Bits live;
    private int docBase;
    private String next;

    IdIterator(IndexSearcher s, Weight weight) {
      this.weight = weight;
      this.leaves = s.getIndexReader().leaves();
      this.ids = new DocumentIds(s);
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      try {
        while (true) {
          if (docs == null) {
            if (++leaf >= leaves.size()) {
              return false;
            }
            LeafReaderContext ctx = leaves.get(leaf);
            ScorerSupplier ss = weight.scorerSupplier(ctx);
            if (ss == null) {
              continue;
            }
            docs = ss.get(Long.MAX_VALUE).iterator();
            live = ctx.reader().getLiveDocs();
            docBase = ctx.docBase;
          }
          int d = docs.nextDoc();
          if (d == DocIdSetIterator.NO_MORE_DOCS) {
            docs = null;
            continue;
          }
          if (live == null || live.get(d)) {
            next = ids.of(docBase + d);
            return true;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String out = next;
      next = null;
      return out;
    }
  }
}
