package dev.embedstore.bench.micro;

import dev.embedstore.lucene.internal.Fields;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BytesRef;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The id allow-list the store used before it used Lucene's {@code TermInSetQuery}, kept here as the
 * measured alternative ({@link IdAllowListBenchmark}): per segment, the ids are looked up in sorted
 * order and their chunks collected in a {@link RoaringBitmap}, which then drives the search. It was
 * slower than {@code TermInSetQuery} at every list size measured, so the store does not use it.
 */
public final class RoaringIdFilter extends Query {
  private final BytesRef[] ids;

  private RoaringIdFilter(BytesRef[] ids) {
    this.ids = ids;
  }

  /**
   * The allow-list query of some ids.
   *
   * @param ids the ids
   * @return the query
   */
  public static Query query(Set<String> ids) {
    if (ids.isEmpty()) {
      return new MatchNoDocsQuery("empty allow-list");
    }
    BytesRef[] sorted = ids.stream().map(BytesRef::new).sorted().toArray(BytesRef[]::new);
    return new RoaringIdFilter(sorted);
  }

  /** The chunks of the listed ids in one segment (deleted ones included; searches skip those). */
  RoaringBitmap docs(LeafReader reader) throws IOException {
    RoaringBitmap bits = new RoaringBitmap();
    Terms terms = reader.terms(Fields.ID);
    if (terms == null) {
      return bits;
    }
    TermsEnum te = terms.iterator();
    PostingsEnum pe = null;
    for (BytesRef id : ids) {
      if (te.seekExact(id)) {
        pe = te.postings(pe, PostingsEnum.NONE);
        for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
          bits.add(d);
        }
      }
    }
    return bits;
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new ConstantScoreWeight(this, boost) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
        RoaringBitmap bits = docs(context.reader());
        if (bits.isEmpty()) {
          return null;
        }
        return new DefaultScorerSupplier(
            new ConstantScoreScorer(score(), scoreMode, new BitmapIterator(bits)));
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return true;
      }
    };
  }

  /** Iterates a bitmap's doc ids in order. */
  private static final class BitmapIterator extends DocIdSetIterator {
    private final PeekableIntIterator it;
    private final long cost;
    private int doc = -1;

    BitmapIterator(RoaringBitmap bits) {
      this.it = bits.getIntIterator();
      this.cost = bits.getLongCardinality();
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() {
      doc = it.hasNext() ? it.next() : NO_MORE_DOCS;
      return doc;
    }

    @Override
    public int advance(int target) {
      it.advanceIfNeeded(target);
      return nextDoc();
    }

    @Override
    public long cost() {
      return cost;
    }
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public String toString(String field) {
    return "RoaringIdFilter(" + ids.length + " ids)";
  }

  @Override
  public boolean equals(Object o) {
    return sameClassAs(o) && Arrays.equals(ids, ((RoaringIdFilter) o).ids);
  }

  @Override
  public int hashCode() {
    return 31 * classHash() + Arrays.hashCode(ids);
  }
}
